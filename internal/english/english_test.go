package english

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 lines"}, {1, "1 line"}, {2, "2 lines"}, {-1, "-1 lines"}} {
		if got := Plural(c.n, "line"); got != c.want {
			t.Errorf("Plural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestCut(t *testing.T) {
	long := strings.Repeat("é", 3000) // 6000 bytes
	for _, c := range []struct {
		s    string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{strings.Repeat("x", 100), 40, strings.Repeat("x", 21) + "… (79 bytes cut)"},
		{strings.Repeat("x", 100), 5, "xxxxx"},
	} {
		if got := Cut(c.s, c.max); got != c.want {
			t.Errorf("Cut(%d bytes, %d) = %q, want %q", len(c.s), c.max, got, c.want)
		}
	}
	got := Cut(long, 4096)
	if len(got) > 4096 || !utf8.ValidString(got) || !strings.HasSuffix(got, " bytes cut)") {
		t.Errorf("Cut of 6000 bytes of é to 4096: %d bytes, valid UTF-8 %v, ends %q", len(got), utf8.ValidString(got), got[len(got)-20:])
	}
}
