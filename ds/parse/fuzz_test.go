package parse

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func FuzzParseSignature(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "good", "*.xml"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, c := range badCases {
		if len(c.data) < 4096 {
			f.Add([]byte(c.data))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		sig, err := ParseSignature("f.xml", data)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("parsing %d bytes took %v", len(data), d)
		}
		if err == nil {
			if sig == nil || sig.ID == "" || len(sig.Events) == 0 || len(sig.Actions) == 0 {
				t.Fatalf("accepted an incomplete signature: %+v", sig)
			}
			for _, ev := range sig.Events {
				if !isIdentifier(ev.ID) || ev.Pos.Line < 1 {
					t.Fatalf("event %+v: bad id or position", ev)
				}
			}
			return
		}
		if sig != nil {
			t.Fatalf("a signature came back with errors")
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("error %T %v is not a non-empty ErrorList", err, err)
		}
		for i, e := range list {
			if e.Pos.File != "f.xml" || e.Pos.Line < 0 || e.Pos.Col < 0 || e.Msg == "" {
				t.Fatalf("bad error %+v", e)
			}
			if i > 0 {
				p, q := list[i-1].Pos, e.Pos
				if p.Line > q.Line || p.Line == q.Line && p.Col > q.Col {
					t.Fatalf("errors not sorted: %v before %v", p, q)
				}
			}
		}
	})
}

func FuzzCheckCorrelate(f *testing.F) {
	for _, s := range []string{
		"e1 and e2", "e1 and (e2 or not e1)", "count(e1) >= 3", "seq(e1, e2)", "e9", "count(e1) + 1",
		"let x = e1; x", "e1 ? e2 : e1", "all([e1], #)", "$env.e1", "e1 |> count()", `"e1"`, "e1.x", "len(e1)",
		"((e1))", "e1 in [e2]", "e1 == e2 != e1", "seq(e1, e2, e1) and count(e2) > count(e1)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > MaxCorrelateLength {
			return
		}
		for _, e := range checkCorrelate(src, []string{"e1", "e2"}) {
			if e.off < 0 || e.off > len(src) || e.msg == "" {
				t.Fatalf("bad error %+v for %q", e, src)
			}
		}
	})
}
