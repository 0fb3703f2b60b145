package lazyre

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestCompileAgreesWithRegexp: Compile refuses exactly what regexp.Compile
// refuses, with the same message, so that the compile on first use never
// fails.
func TestCompileAgreesWithRegexp(t *testing.T) {
	for _, expr := range []string{
		`%LINK-3-UPDOWN: Interface (\S+), changed state to down`, `(`, `a{1001}`, `a{1000}`, `(a{500}){500}`,
		`((((((((((a))))))))))`, strings.Repeat("(", 1001) + strings.Repeat(")", 1001), `\p{Greek}+`, `\pX`,
		`(?P<name>x)`, `(?P<>x)`, `[z-a]`, `x**`, `(?i)abc`, `\8`, `a|b|`, `^$`, `\Q*\E`, `(?<n>x)`,
		strings.Repeat("a{100}", 200), `(?:a{100}){100}`, `[[:alpha:]]`, `[[:foo:]]`, "\xff",
	} {
		want, werr := regexp.Compile(expr)
		got, err := Compile(expr)
		if (werr == nil) != (err == nil) || werr != nil && werr.Error() != err.Error() {
			t.Errorf("%.40q: Compile error %v, regexp.Compile %v", expr, err, werr)
			continue
		}
		if werr == nil && (!slices.Equal(got.SubexpNames(), want.SubexpNames()) || got.NumSubexp() != want.NumSubexp()) {
			t.Errorf("%.40q: names before compiling %q, want %q", expr, got.SubexpNames(), want.SubexpNames())
		}
		if werr == nil && got.Regexp().String() != want.String() {
			t.Errorf("%.40q: compiled %q", expr, got.Regexp().String())
		}
	}
}

// TestFirstUseFromManyGoroutines: the expression compiles once, whoever
// asks first, and every caller sees the same program.
func TestFirstUseFromManyGoroutines(t *testing.T) {
	r := MustCompile(`(\d+) down`)
	var wg sync.WaitGroup
	got := make([]*regexp.Regexp, 16)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if m := r.FindStringSubmatch("port 12 down"); len(m) != 2 || m[1] != "12" {
				t.Errorf("match %q", m)
			}
			got[i] = r.Regexp()
		}()
	}
	wg.Wait()
	for _, re := range got {
		if re != got[0] {
			t.Fatal("compiled more than once")
		}
	}
	if of := Of(got[0]); of.Regexp() != got[0] || of.String() != `(\d+) down` {
		t.Errorf("Of: %v", of)
	}
}
