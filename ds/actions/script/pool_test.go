package script

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestPoolDoesNotLeakGlobals: a pooled state starts every run with only
// the sandbox and that run's variables.
func TestPoolDoesNotLeakGlobals(t *testing.T) {
	r := NewRunner(Options{PoolSize: 1})
	ctx := context.Background()
	first := `
		leak = "global"
		_G.leak2 = "via _G"
		rawset(_G, "leak3", "via rawset")
		ds_only_here = "first"
		function leakfn() end
		setmetatable(_G, {__index = function(_, k) return "from a metatable" end})
		local co = coroutine.create(function() leak4 = "from a coroutine" coroutine.yield() end)
		coroutine.resume(co)
		print(ds_hostname)`
	res, err := r.Run(ctx, Script{Text: first}, Env{Vars: map[string]string{"ds_hostname": "one"}}, newFakeHost())
	if err != nil || res.Output != "one\n" {
		t.Fatalf("first run: %q %v", res.Output, err)
	}
	if len(r.pool) != 1 {
		t.Fatalf("the state was not returned to the pool")
	}
	second := `print(leak, leak2, leak3, leak4, ds_only_here, leakfn, getmetatable(_G), rawget(_G, "anything"), anything, ds_hostname)`
	res, err = r.Run(ctx, Script{Text: second}, Env{Vars: map[string]string{"ds_hostname": "two"}}, newFakeHost())
	if want := "nil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\ttwo\n"; err != nil || res.Output != want {
		t.Fatalf("second run saw the first: %q %v, want %q", res.Output, err, want)
	}
}

// TestFailedStatesAreDiscarded: a state whose run failed is not reused.
func TestFailedStatesAreDiscarded(t *testing.T) {
	r := NewRunner(Options{PoolSize: 2})
	mustRun(t, r, `x = 1`)
	if len(r.pool) != 1 {
		t.Fatalf("pool has %d states after a good run, want 1", len(r.pool))
	}
	for _, src := range []string{`error("x")`, `local s = string.rep("x", 1e10)`, `local function f() return f() + 1 end f()`} {
		if _, err := runText(t, r, src); err == nil {
			t.Fatalf("%s did not fail", src)
		}
		if len(r.pool) != 0 {
			t.Fatalf("after %s failed, the pool has %d states, want 0", src, len(r.pool))
		}
	}
	stillWorks(t, r)
	if len(r.pool) != 1 {
		t.Fatalf("pool has %d states, want 1", len(r.pool))
	}
}

// TestConcurrentRuns: runs in parallel goroutines share nothing but the
// compiled script (run with -race).
func TestConcurrentRuns(t *testing.T) {
	r := NewRunner(Options{PoolSize: 2})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				id := fmt.Sprintf("%d-%d", g, i)
				src := `assert(mine == nil, "saw another run's global: " .. tostring(mine))
					mine = ds_id
					local t = {} for j = 1, 100 do t[j] = ds_id .. j end
					ds_out = table.concat(t, ","):sub(1, #ds_id)
					local co = coroutine.wrap(function() coroutine.yield(ds_id) end)
					print(co())`
				res, err := r.Run(context.Background(), Script{Name: "same", Text: src}, Env{Vars: map[string]string{"ds_id": id}}, newFakeHost())
				if err != nil || res.Output != id+"\n" || res.Vars["ds_out"] != id {
					errs <- fmt.Errorf("run %s: %q %v %v", id, res.Output, res.Vars, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestCache: a script is compiled once; the cache keeps CacheSize
// scripts.
func TestCache(t *testing.T) {
	r := NewRunner(Options{CacheSize: 2})
	for _, s := range []string{"x = 1", "x = 2", "x = 1", "x = 3"} {
		if err := r.Compile(Script{Text: s}); err != nil {
			t.Fatal(err)
		}
	}
	c := r.cache
	if c.order.Len() != 2 || c.byKey[keyOf("script", "x = 1")] == nil || c.byKey[keyOf("script", "x = 3")] == nil {
		t.Errorf("cache holds %d scripts, want x = 1 and x = 3", c.order.Len())
	}
	p1, _ := c.get("script", "x = 1", 1, DefaultMaxScriptSize)
	p2, _ := c.get("script", "x = 1", 1, DefaultMaxScriptSize)
	if p1 != p2 {
		t.Error("the same script was compiled twice")
	}
}

// TestKeptGlobalsAreAsBuilt: a pooled state keeps its globals table for
// the next run only while it is as built but for ds_ variables; each change
// below, alone, is gone in the next run, and the ds_ variables are the next
// run's only.
func TestKeptGlobalsAreAsBuilt(t *testing.T) {
	r := NewRunner(Options{PoolSize: 1})
	check := `print(leak, ds_new, ds_first, type(ds_stop), type(_G), rawget(_G, 1), type(string), rawget(_G, true), ds_next)`
	for _, change := range []string{
		`leak = 1`,
		`ds_new = {}`,
		`ds_stop = nil`,
		`ds_stop = function() end leak = 1`,
		`_G._G = nil`,
		`string = nil leak = 1`, // one key gone, one added: the count alone would not see it
		`rawset(_G, 1, 1)`,
		`rawset(_G, true, 1)`,
		`local g = _G ds_stop = nil g.leak = 1`,
	} {
		res, err := r.Run(context.Background(), Script{Name: "change", Text: change}, Env{Vars: map[string]string{"ds_first": "1"}}, newFakeHost())
		if err != nil {
			t.Fatalf("%s: %v %q", change, err, res.Output)
		}
		res, err = r.Run(context.Background(), Script{Name: "check", Text: check}, Env{Vars: map[string]string{"ds_next": "2"}}, newFakeHost())
		if want := "nil\tnil\tnil\tfunction\ttable\tnil\ttable\tnil\t2\n"; err != nil || res.Output != want {
			t.Errorf("after %s, the next run printed %q (%v), want %q", change, res.Output, err, want)
		}
	}
	// A key added and deleted in one run keeps its place in the table; set
	// again in a later run (with another variable added before it), it
	// is still seen, and the table not kept. Likewise a ds_ variable.
	for _, runs := range [][3]string{
		{`leak = 1 leak = nil`, `leak = 2`, `print(leak)`},
		{`ds_first = nil`, `ds_first = "again"`, `print(ds_first)`},
	} {
		for i, src := range runs {
			vars := map[string]string{"ds_first": "1", fmt.Sprintf("ds_run%d", i): "x"}
			if i == 2 {
				vars = map[string]string{"ds_next": "2"}
			}
			res, err := r.Run(context.Background(), Script{Name: fmt.Sprint("run", i), Text: src}, Env{Vars: vars}, newFakeHost())
			switch {
			case err != nil:
				t.Fatalf("%q: %v", src, err)
			case i == 1 && runs[1] == `ds_first = "again"` && res.Vars["ds_first"] != "again":
				t.Errorf("%q: changed variables %v, want ds_first", src, res.Vars)
			case i == 2 && res.Output != "nil\n":
				t.Errorf("after %q then %q, the next run printed %q", runs[0], runs[1], res.Output)
			}
		}
	}
	// Many runs with ever new ds_ variables: the table is rebuilt past
	// maxEnvDrops, and each run sees its own variables only.
	for i := range 3 * maxEnvDrops {
		name := fmt.Sprintf("ds_v%d", i)
		res, err := r.Run(context.Background(), Script{Name: "vars", Text: `local n = 0 for k in pairs(_G) do if k:sub(1, 3) == "ds_" and k ~= "ds_stop" then n = n + 1 end end print(n, ` + name + `)`},
			Env{Vars: map[string]string{name: "x"}}, newFakeHost())
		if err != nil || res.Output != "1\tx\n" {
			t.Fatalf("run %d: %q %v", i, res.Output, err)
		}
	}
}
