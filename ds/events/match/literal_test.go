package match

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLiterals(t *testing.T) {
	L := func(s string) Literal { return Literal{s, false} }
	F := func(s string) Literal { return Literal{s, true} }
	cases := []struct {
		pattern string
		want    []Literal
	}{
		{`%LINK-3-UPDOWN`, []Literal{L("%LINK-3-UPDOWN")}},
		{`%LINK-3-UPDOWN: Interface GigabitEthernet1/0/7, changed state to down`, []Literal{L("%LINK-3-UPDOWN: Interface GigabitEthernet1/0/7, changed state to down")}},
		{`^%SYS-5-CONFIG_I: Configured from .* by admin$`, []Literal{L("%SYS-5-CONFIG_I: Configured from ")}},
		{`%OSPF-5-ADJCHG: Process \d+, Nbr 10\.0\.0\.(\d+) on`, []Literal{L("%OSPF-5-ADJCHG: Process ")}},
		{`%LINK-3-(UPDOWN|CHANGED): x`, []Literal{L("%LINK-3-UPDOWN: x"), L("%LINK-3-CHANGED: x")}},
		{`%LINK-[35]-UPDOWN`, []Literal{L("%LINK-3-UPDOWN"), L("%LINK-5-UPDOWN")}},
		{`(foo|barbaz)`, []Literal{L("foo"), L("barbaz")}},
		{`(foo|ba)`, nil}, // "ba" is too short
		{`(foo|)x`, nil},  // the empty alternative leaves "x"
		{`abc?def`, []Literal{L("abcdef"), L("abdef")}},
		{`x+yz[0-9]`, []Literal{L("xyz")}}, // x+ ends with x
		{`ab(cd)+ef`, []Literal{L("abcd")}},
		{`ab\s+cd`, nil},
		{`(?i)error on`, []Literal{F("error on")}},
		{`(?i)link down`, []Literal{F(" down")}},         // k folds to U+212A: the literal stops there
		{`(?i)disk`, nil},                                // d, i, then s and k: nothing of 3 bytes
		{`(?i:error) ON LINE`, []Literal{L(" ON LINE")}}, // case-sensitive preferred
		{`(?i:error) ON`, []Literal{F("error on")}},
		{`(?i:ab)CDEFGH`, []Literal{L("CDEFGH")}}, // a case-sensitive literal is preferred
		{`[Ee]rror`, []Literal{L("rror")}},
		{`[Ee]rr`, []Literal{F("err")}},
		{`.*`, nil},
		{``, nil},
		{`^$`, nil},
		{`\d+\.\d+`, nil},
		{`ab\bcd`, nil}, // "ab", "cd" are separated only by a zero-width assertion → "abcd"
		{`x\x{FFFD}yzw`, []Literal{L("yzw")}},
		{`(?i)été`, nil}, // é folds beyond ASCII
		{`été!`, []Literal{L("été!")}},
		{`a{3}`, []Literal{L("aaa")}},
		{`(abc)+`, []Literal{L("abc")}},
		{`(abc)*def`, []Literal{L("def")}},
	}
	for _, c := range cases {
		got := Analyze(regexp.MustCompile(c.pattern)).Key
		// Keys are cut at maxKey bytes.
		var want []Literal
		for _, l := range c.want {
			l.Text = l.Text[:min(len(l.Text), maxKey)]
			want = append(want, l)
		}
		if c.pattern == `ab\bcd` {
			want = []Literal{L("abcd")}
		}
		if !slices.Equal(got, want) {
			t.Errorf("Analyze(%q).Key = %+v, want %+v", c.pattern, got, want)
		}
	}
}

// FuzzLiterals checks the one property the index relies on: when a pattern
// matches a text, one of its literals occurs in the text (lowered for a
// case-insensitive literal).
func FuzzLiterals(f *testing.F) {
	for _, s := range [][2]string{
		{`(?i)LINK`, "lin\u212a"}, {`(?i)stop`, "\u017Ftop"}, {`x\x{FFFD}yzw`, "x\xffyzw"},
		{`%LINK-[35]-UPDOWN: (a|bc)?d`, "%LINK-5-UPDOWN: d"}, {`(?i)ÉTÉ`, "été"}, {`[Ee]rRor`, "erRor"},
		{`\s\d{6,}\s`, "a 1234567 b"}, {`\b[0-9a-f]{4}\.[0-9a-f]{4}\.1[0-9a-f]{3}\b`, "x 0a1b.2c3d.1e5f y"},
		{`(?i)x(a|B)\d+y`, "XB12Y"}, {`\d+\.\d+:5\d{3}`, "1.2:5000"}, {`é[0-9]{3}`, "é123"},
		{`(?i)^%s\w{1,3}-\d-`, "%ſys-1-"}, {`^[^%].{0,3}$`, "\xffab"}, {`^\x{FFFD}b`, "\x80b"},
		{`(?i)\d{3}k\d`, "123K4"},
		{`(?i:ab)CDEFGH`, "aBCDEFGH"}, {`abc?def`, "abdef"}, {`a{3,}`, "aaaa"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		re, err := regexp.Compile(pattern)
		if err != nil || !re.MatchString(text) {
			return
		}
		pf := Analyze(re)
		lower := strings.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, text)
		if !utf8.ValidString(text) {
			lower = lowerBytes(text)
		}
		if pf.prefix != nil && !prefixOK(text, pf.prefix) {
			t.Fatalf("%q matches %q but its anchored prefix does not", pattern, text)
		}
		if pf.seq != nil {
			var f classFilter
			f.add(pf.seq, 7)
			if got := f.scan(text, nil); len(got) != 1 || got[0].entry != 7 {
				t.Fatalf("%q matches %q but its class sequence does not", pattern, text)
			}
		}
		for _, set := range append([][]Literal{pf.Key}, pf.Required...) {
			if set == nil {
				continue
			}
			found := false
			for _, l := range set {
				if !l.Fold && strings.Contains(text, l.Text) || l.Fold && strings.Contains(lower, l.Text) {
					found = true
				}
			}
			if !found {
				t.Fatalf("%q matches %q but none of %+v occurs", pattern, text, set)
			}
		}
	})
}

func lowerBytes(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func TestClassSequence(t *testing.T) {
	cases := []struct {
		pattern string
		n       int // positions, 0 for none
	}{
		{`\s\d{6,}\s`, 7},
		{`\b[0-9a-f]{4}\.[0-9a-f]{4}\.1[0-9a-f]{3}\b`, 14},
		{`\d+\.\d+\.\d+\.\d+:3\d{3}\b`, 6},
		{`Gi\d/\d/\d{1,2}\b.{15}`, 7},
		{`^%[A-Z_]+-[0-2]`, 0}, // anchored: the engine is cheap already
		{`[^%]\d`, 0},          // [^%] holds runes of several bytes
		{`\d\d`, 0},            // too weak
		{`(?i)x(a|B)\d+y`, 3},
		{`(?i)sk\d\d\d`, 3}, // s and k fold beyond ASCII
	}
	for _, c := range cases {
		pf := Analyze(regexp.MustCompile(c.pattern))
		if len(pf.seq) != c.n || pf.HasClassFilter() != (c.n > 0) {
			t.Errorf("%q: class sequence of %d positions, want %d", c.pattern, len(pf.seq), c.n)
		}
	}
}

func TestAnchoredPrefix(t *testing.T) {
	cases := []struct {
		pattern string
		accept  []string
		reject  []string
	}{
		{`(?i)^%s\w{1,3}-\d-`, []string{"%SYS-5-", "%sys-5-", "%ſys-1-"}, []string{"%LINK-3-", "SYS-5-", "%"}},
		{`^[^%].{0,30}$`, []string{"last message", "\xff"}, []string{"%LINK-3-UPDOWN: x", ""}},
		{`^%[A-Z_]+-[0-2]`, []string{"%SYS-2-X"}, []string{"%sys-2", "x%SYS-2"}},
	}
	for _, c := range cases {
		pf := Analyze(regexp.MustCompile(c.pattern))
		if pf.prefix == nil {
			t.Errorf("%q: no anchored prefix", c.pattern)
			continue
		}
		for _, s := range c.accept {
			if !prefixOK(s, pf.prefix) {
				t.Errorf("%q: prefix rejects %q", c.pattern, s)
			}
		}
		for _, s := range c.reject {
			if prefixOK(s, pf.prefix) {
				t.Errorf("%q: prefix accepts %q", c.pattern, s)
			}
		}
	}
}

// TestLiteralFree: a pattern is literal-free, and runs on every line,
// exactly when the index keys it on no literal.
func TestLiteralFree(t *testing.T) {
	for pattern, want := range map[string]bool{
		`%LINK-3-UPDOWN: Interface (\S+)`: false,
		`%LINK-[35]-UPDOWN`:               false,
		`(?i)error on`:                    false,
		`.*`:                              true,
		`\d+\.\d+`:                        true,
		`(foo|ba)`:                        true,
		`(?i)disk`:                        true,
	} {
		re := regexp.MustCompile(pattern)
		if got := LiteralFree(re); got != want {
			t.Errorf("LiteralFree(%q) = %v, want %v", pattern, got, want)
		}
		x := New()
		x.AddRegexp(1, re)
		if always := x.Stats().AlwaysRun == 1; always != want {
			t.Errorf("%q: the index runs it on every line: %v; LiteralFree says %v", pattern, always, want)
		}
	}
}
