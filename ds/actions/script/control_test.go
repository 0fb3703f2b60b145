package script

import (
	"testing"
)

// TestScriptControl: ds_stop and a top-level return false end the run
// (Result.Stopped with the reason), with no error; pcall cannot keep a
// ds_stop from ending the script; return false inside a function or a
// return of anything else is not a stop.
func TestScriptControl(t *testing.T) {
	r := NewRunner(Options{})
	for _, c := range []struct {
		src, reason, out string
	}{
		{`print("a") ds_stop("below threshold") print("b")`, "ds_stop: below threshold", "a\n"},
		{`ds_stop()`, "ds_stop", ""},
		{`ds_stop(42)`, "ds_stop: 42", ""},
		{`if true then return false end print("b")`, "the script returned false", ""},
		{`return false, "only 2 flaps"`, "returned false: only 2 flaps", ""},
		// pcall catches the first error, but the run's context is
		// cancelled: the next instruction fails too.
		{`local ok = pcall(ds_stop, "x") print("after", ok)`, "ds_stop: x", ""},
		{`local co = coroutine.create(function() ds_stop("in co") end) coroutine.resume(co) print("after")`, "ds_stop: in co", ""},
	} {
		res, err := runText(t, r, c.src)
		if err != nil {
			t.Errorf("%s\n=> error %v, want a stop", c.src, err)
			continue
		}
		if !res.Stopped || res.StopReason != c.reason || res.Output != c.out {
			t.Errorf("%s\n=> stopped %v reason %q output %q, want reason %q output %q", c.src, res.Stopped, res.StopReason, res.Output, c.reason, c.out)
		}
		stillWorks(t, r)
	}
	for _, src := range []string{
		`local function f() return false end f()`,
		`return nil`,
		`return true`,
		`return 0`,
		`local f = loadstring("return false") f()`,
	} {
		res := mustRun(t, r, src)
		if res.Stopped {
			t.Errorf("%s\n=> stopped (%s), want a run that goes on", src, res.StopReason)
		}
	}
	if _, err := runText(t, r, `ds_stop({})`); err == nil || !contains(err.Error(), "the reason must be a string") {
		t.Errorf("ds_stop({}) => %v", err)
	}
}
