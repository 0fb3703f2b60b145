package tcp

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// got is one frame as the tests see it: the text, then "+oversize" and
// "+framing" when set.
func frames(t *testing.T, r io.Reader, max int) []string {
	t.Helper()
	f := newFramer(r, max)
	var out []string
	for range 1000 {
		line, info, err := f.next()
		if len(line) > 0 || info.framingErr {
			s := string(line)
			if info.oversize {
				s += "+oversize"
			}
			if info.framingErr {
				s += "+framing"
			}
			out = append(out, s)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("error %v", err)
			}
			return out
		}
	}
	t.Fatal("no end")
	return nil
}

func TestFramer(t *testing.T) {
	cases := []struct {
		name, in string
		max      int
		want     []string
	}{
		{"lf crlf nul", "a\nb\r\nc\x00d\n", 0, []string{"a", "b", "c", "d"}},
		{"separators skipped", "\n\r\n\x00\x00a\n\n", 0, []string{"a"}},
		{"octet counted", "5 <13>x6 <13>yz", 0, []string{"<13>x", "<13>yz"}},
		{"octet counted with lf after", "5 <13>x\n6 <13>yz\n", 0, []string{"<13>x", "<13>yz"}},
		{"octet then newline", "5 <13>x<14>line\n", 0, []string{"<13>x", "<14>line"}},
		{"octet keeps lf and nul", "9 <13>a\nb\x00c<1>x\n", 0, []string{"<13>a\nb\x00c", "<1>x"}},
		{"count too small", "3 <13>hello world9 <13>after", 0, []string{"<13", ">hello world+framing", "<13>after"}},
		{"count too small, resync at lf", "3 <13>hello\n<14>x\n", 0, []string{"<13", ">hello+framing", "<14>x"}},
		{"count too small, digits in text", "3 <13>up 12 times 100x 5 <1>ab", 0, []string{"<13", ">up 12 times 100x +framing", "<1>ab"}},
		{"count too large, closed", "50 <13>short", 0, []string{"<13>short+framing"}},
		{"count too large swallows the next", "13 <13>first\n5 <13>x9 <13>third", 0, []string{"<13>first\n5 <", "13>x+framing", "<13>third"}},
		{"count too large, undetected", "12 <13>first\n5 <13>x9 <13>third", 0, []string{"<13>first\n5 ", "<13>x9 <13>third"}},
		{"text after octet", "5 <13>x343: %SYS-5-X: y\n", 0, []string{"<13>x", "343: %SYS-5-X: y+framing"}},
		{"closed after the count", "12 ", 0, []string{"+framing"}},
		{"ios line", "343: sw1: *Sep 21 09:22:01.678 UTC: %LINK-3-UPDOWN: x\n", 0, []string{"343: sw1: *Sep 21 09:22:01.678 UTC: %LINK-3-UPDOWN: x"}},
		{"zero is no count", "0 x\n", 0, []string{"0 x"}},
		{"ten digits are no count", "1234567890 x\n", 0, []string{"1234567890 x"}},
		{"unterminated last line", "abc", 0, []string{"abc"}},
		{"unterminated digits", "12", 0, []string{"12"}},
		{"oversize text", "0123456789abc\r\nnext\n", 10, []string{"0123456789+oversize", "next"}},
		{"text of exactly max", "0123456789\r\nnext\n", 10, []string{"0123456789", "next"}},
		{"oversize by the cr", "0123456789a\r\nnext\n", 10, []string{"0123456789+oversize", "next"}},
		{"oversize with cr at max+1", "0123456789\r\r\nnext\n", 10, []string{"0123456789+oversize", "next"}},
		{"oversize octet", "15 <13>abcdefghijk3 <1>", 10, []string{"<13>abcdef+oversize", "<1>"}},
		{"oversize octet cut by close", "15 <13>abcdefgh", 10, []string{"<13>abcdef+oversize+framing"}},
		{"invalid utf8 kept", "<13>\xff\xfe\x80 x\n", 0, []string{"<13>\xff\xfe\x80 x"}},
	}
	readers := map[string]func(string) io.Reader{
		"whole":    func(s string) io.Reader { return strings.NewReader(s) },
		"one byte": func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) },
		"half":     func(s string) io.Reader { return iotest.HalfReader(strings.NewReader(s)) },
	}
	for _, c := range cases {
		for rname, mk := range readers {
			t.Run(fmt.Sprintf("%s/%s", c.name, rname), func(t *testing.T) {
				max := c.max
				if max == 0 {
					max = 1 << 16
				}
				if got := frames(t, mk(c.in), max); !reflect.DeepEqual(got, c.want) {
					t.Errorf("got  %q\nwant %q", got, c.want)
				}
			})
		}
	}
}

func TestFrameStart(t *testing.T) {
	cases := []struct {
		in        string
		prevDigit bool
		at        int
		undecided bool
	}{
		{"abc", false, -1, false},
		{"ab 12 <1>", false, 3, false},
		{"ab 12 x", false, -1, false},
		{"ab 12", false, 3, true},
		{"ab 12 ", false, 3, true},
		{"ab 012 <", false, -1, false},
		{"12 <", true, -1, false},
		{"x1234567890 <", false, -1, false},
		{"x123456789 <", false, 1, false},
	}
	for _, c := range cases {
		at, und := frameStart([]byte(c.in), c.prevDigit)
		if at != c.at || und != c.undecided {
			t.Errorf("frameStart(%q, %v) = %d, %v; want %d, %v", c.in, c.prevDigit, at, und, c.at, c.undecided)
		}
	}
}

func FuzzFramer(f *testing.F) {
	for _, s := range []string{"5 <13>x6 <13>yz", "3 <13>hello world9 <13>after", "a\r\nb\x00", "12 "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := newFramer(iotest.HalfReader(strings.NewReader(string(data))), 64)
		total := 0
		for i := 0; ; i++ {
			line, _, err := fr.next()
			if len(line) > 64 {
				t.Fatalf("frame of %d bytes", len(line))
			}
			total += len(line)
			if err != nil {
				break
			}
			if i > len(data)+1 {
				t.Fatal("no progress")
			}
		}
		if total > len(data) {
			t.Fatalf("%d bytes out of %d in", total, len(data))
		}
	})
}
