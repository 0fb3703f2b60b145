package callhome

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// naiveSanitize is Sanitize as its documentation says it, one character at
// a time.
func naiveSanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		ok := r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
		if !ok {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FuzzXML renders random descriptions, commands and outputs, with and
// without a small message-size-limit: the message must parse as XML,
// respect the limit, and carry the text back up to Sanitize (and, in
// outputs, line-end normalization); a cut output must be a prefix of the
// original followed by the truncation line.
func FuzzXML(f *testing.F) {
	f.Add("*Jun 5 03:11:36.041: %CLEAR-5-COUNTERS: Clear counter", "show logging", "Syslog logging: enabled\n", "", 0)
	f.Add("]]>", "]]>", "a]]>b]]]>c", "]]", 0)
	f.Add("nul\x00ctl\x01\x1f", "show \xff", "\xed\xa0\x80\xc3", "\uFFFE\uFFFF", 0)
	f.Add("cr\r\nlf", "sh run", strings.Repeat("line\r\nline\rline\n", 100), "x", 3500)
	f.Add("d", "c", strings.Repeat("0123456789abcdef\n", 200), strings.Repeat("]]>", 100), 4000)
	f.Add("d", "c", "", "", 1)
	f.Fuzz(func(t *testing.T, desc, cmd, out1, out2 string, limit int) {
		for _, in := range []string{desc, cmd, out1, out2} {
			if got, want := Sanitize(in), naiveSanitize(in); got != want {
				t.Fatalf("Sanitize(%q) = %q, want %q", in, got, want)
			}
		}
		if limit <= 0 {
			limit = 0 // the default, 3,145,728
		} else {
			limit = 50 + limit%40000
		}
		m := dsMessage(t)
		m.Description = desc
		m.Attachments = []Attachment{{Command: cmd, Output: out1}, {Command: "show version", Output: out2}}
		got, err := XML(m, Options{SizeLimit: limit})
		if err != nil {
			if limit != 0 && errors.Is(err, ErrTooLarge) {
				return
			}
			t.Fatal(err)
		}
		if limit != 0 && len(got) > limit {
			t.Fatalf("%d bytes > limit %d", len(got), limit)
		}
		p, err := parseXML(got)
		if err != nil {
			t.Fatalf("does not parse: %v\n%s", err, got)
		}
		note := ""
		if limit != 0 {
			note = TruncationNote(limit)
		}
		wantDesc := Sanitize(desc)
		gotDesc := p.Block.CallHome.Description
		truncated := gotDesc != wantDesc
		if truncated && (note == "" || gotDesc != wantDesc+" "+note) {
			t.Fatalf("description %q, want %q", gotDesc, wantDesc)
		}
		if len(p.Block.Attachments) != 2 {
			t.Fatalf("%d attachments", len(p.Block.Attachments))
		}
		if p.Block.Attachments[0].Name != Sanitize(cmd) {
			t.Fatalf("command %q, want %q", p.Block.Attachments[0].Name, Sanitize(cmd))
		}
		for i, out := range []string{out1, out2} {
			want := normalizeLineEnds(Sanitize(out))
			data := p.Block.Attachments[i].Data.Text
			if data == want {
				continue
			}
			cutLine := "\n" + note + "\n"
			if !truncated || !strings.HasSuffix(data, cutLine) || !strings.HasPrefix(want, strings.TrimSuffix(data, cutLine)) {
				t.Fatalf("output %d = %q, want %q", i, data, want)
			}
		}
	})
}
