package input

import (
	"reflect"
	"testing"
)

func TestLines(t *testing.T) {
	type out struct {
		line      string
		truncated bool
	}
	cases := []struct {
		name   string
		chunks []string
		skip   bool // SkipToNextLine first
		flush  bool
		want   []out
	}{
		{"simple", []string{"a\nb\r\n"}, false, false, []out{{"a", false}, {"b", false}}},
		{"split", []string{"he", "llo", "\nwor", "ld\r", "\n"}, false, false, []out{{"hello", false}, {"world", false}}},
		{"partial waits", []string{"a\npart"}, false, false, []out{{"a", false}}},
		{"partial flushed", []string{"a\npart\r"}, false, true, []out{{"a", false}, {"part", false}}},
		{"empty lines passed", []string{"\n\r\n"}, false, false, []out{{"", false}, {"", false}}},
		{"exactly max", []string{"12345678\n", "1234", "5678\r", "\n"}, false, false, []out{{"12345678", false}, {"12345678", false}}},
		{"over max whole", []string{"123456789\nok\n"}, false, false, []out{{"12345678", true}, {"ok", false}}},
		{"over max split", []string{"1234", "56789abc", "def\nok\n"}, false, false, []out{{"12345678", true}, {"ok", false}}},
		{"over max then cr", []string{"1234", "5678x\r\nok\n"}, false, false, []out{{"12345678", true}, {"ok", false}}},
		{"max and a cr, split", []string{"1234", "5678\r", "\nok\n"}, false, false, []out{{"12345678", false}, {"ok", false}}},
		{"skip", []string{"rest of a line\nnext\n"}, true, false, []out{{"next", false}}},
		{"skip across writes", []string{"rest", " of it", "\nnext\n"}, true, false, []out{{"next", false}}},
		{"nul and invalid utf8 kept", []string{"a\x00\xff\n"}, false, false, []out{{"a\x00\xff", false}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := NewLines(8)
			var got []out
			emit := func(line []byte, truncated bool) { got = append(got, out{string(line), truncated}) }
			if c.skip {
				l.SkipToNextLine()
			}
			for _, ch := range c.chunks {
				l.Write([]byte(ch), emit)
			}
			if c.flush {
				l.Flush(emit)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
	l := NewLines(8)
	l.Write([]byte("abc"), func([]byte, bool) {})
	if l.Pending() != 3 {
		t.Errorf("pending %d", l.Pending())
	}
	l.Reset()
	l.Flush(func(line []byte, _ bool) { t.Errorf("flushed %q after Reset", line) })
}
