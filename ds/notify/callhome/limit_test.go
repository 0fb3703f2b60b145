package callhome

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dsengine/dsengine/ds/config"
)

// sized returns a DS message whose outputs have the given lengths, made of
// text without line ends (so cuts are byte-exact).
func sized(t testing.TB, lens ...int) *Message {
	m := dsMessage(t)
	m.Attachments = nil
	for i, n := range lens {
		m.Attachments = append(m.Attachments, Attachment{
			Command: "show cmd " + string(rune('a'+i)),
			Output:  strings.Repeat(string(rune('a'+i)), n),
		})
	}
	return m
}

// outputsOf returns the outputs of a rendered message, XML or long text.
func outputsOf(t *testing.T, f config.MessageFormat, got []byte) (desc string, outs []string) {
	t.Helper()
	if f == config.FormatXML {
		p, err := parseXML(got)
		if err != nil {
			t.Fatalf("does not parse: %v", err)
		}
		for _, a := range p.Block.Attachments {
			outs = append(outs, a.Data.Text)
		}
		return p.Block.CallHome.Description, outs
	}
	s := string(got)
	_, rest, _ := strings.Cut(s, "Message description: ")
	desc, _, _ = strings.Cut(rest, "\n")
	parts := strings.Split(s, "Command output text:\n")
	for _, p := range parts[1:] {
		p, _, _ = strings.Cut(p, "\n\nCommand output name: ")
		outs = append(outs, strings.TrimSuffix(p, "\n"))
	}
	return desc, outs
}

func TestSizeLimitFitsUntouched(t *testing.T) {
	for _, f := range []config.MessageFormat{config.FormatXML, config.FormatLongText, config.FormatShortText} {
		m := sized(t, 3000, 100)
		full, err := Render(m, f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		exact, err := Render(m, f, Options{SizeLimit: len(full)})
		if err != nil || string(exact) != string(full) {
			t.Errorf("%s: a message of exactly the limit was changed (%v)", f, err)
		}
	}
}

// TestSizeLimitLargestFirst: outputs shorter than the common cut stay
// whole; the longer ones are cut to the same length and say so.
func TestSizeLimitLargestFirst(t *testing.T) {
	for _, f := range []config.MessageFormat{config.FormatXML, config.FormatLongText} {
		t.Run(string(f), func(t *testing.T) {
			m := sized(t, 5000, 3000, 200)
			full, err := Render(m, f, Options{})
			if err != nil {
				t.Fatal(err)
			}
			limit := len(full) - 4000 // the two largest must lose 4000 bytes and room for the notes
			got, err := Render(m, f, Options{SizeLimit: limit})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) > limit || len(got) < limit-8 {
				t.Errorf("%d bytes for a limit of %d: not within 8 bytes below it", len(got), limit)
			}
			note := TruncationNote(limit)
			desc, outs := outputsOf(t, f, got)
			if desc != m.Description+" "+note {
				t.Errorf("description %q lacks the note", desc)
			}
			if len(outs) != 3 || outs[2] != m.Attachments[2].Output {
				t.Fatalf("the smallest output was changed: %d outputs", len(outs))
			}
			a, okA := strings.CutSuffix(outs[0], "\n"+note+"\n")
			b, okB := strings.CutSuffix(outs[1], "\n"+note+"\n")
			if f == config.FormatLongText {
				a, okA = strings.CutSuffix(outs[0], "\n"+note)
				b, okB = strings.CutSuffix(outs[1], "\n"+note)
			}
			if !okA || !okB {
				t.Fatalf("cut outputs lack the note: %q… %q…", outs[0][len(outs[0])-60:], outs[1][len(outs[1])-60:])
			}
			if len(a) != len(b) || !strings.HasPrefix(m.Attachments[0].Output, a) || !strings.HasPrefix(m.Attachments[1].Output, b) {
				t.Errorf("cut to %d and %d bytes; want the same length, prefixes of the outputs", len(a), len(b))
			}
		})
	}
}

// TestSizeLimitSweep renders hostile outputs at many limits: never over
// the limit, always parseable, ErrTooLarge only when the envelope itself
// does not fit.
func TestSizeLimitSweep(t *testing.T) {
	m := dsMessage(t)
	m.Attachments = []Attachment{
		{Command: "show a", Output: strings.Repeat("]]>é\r\n😀line\x00", 400)},
		{Command: "show b", Output: strings.Repeat("word ", 900) + "\n" + strings.Repeat("]]", 50)},
		{Command: "show c", Output: "tiny"},
	}
	for _, f := range []config.MessageFormat{config.FormatXML, config.FormatLongText} {
		for limit := 50; limit < 30000; limit += 97 {
			got, err := Render(m, f, Options{SizeLimit: limit})
			if err != nil {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("%s limit %d: %v", f, limit, err)
				}
				// the smallest message: a and b cut to nothing, c whole
				note := TruncationNote(limit)
				least := m.Clone()
				least.Description += " " + note
				least.Attachments[0].Output = "\n" + note + "\n"
				least.Attachments[1].Output = "\n" + note + "\n"
				min, _ := Render(least, f, Options{})
				if limit >= len(min) {
					t.Errorf("%s limit %d refused, the smallest message is %d bytes", f, limit, len(min))
				}
				continue
			}
			if len(got) > limit {
				t.Fatalf("%s limit %d: %d bytes", f, limit, len(got))
			}
			if !utf8.Valid(got) {
				t.Fatalf("%s limit %d: invalid UTF-8", f, limit)
			}
			if f == config.FormatXML {
				if _, err := parseXML(got); err != nil {
					t.Fatalf("limit %d: %v", limit, err)
				}
			}
		}
	}
}

func TestSizeLimitTooLarge(t *testing.T) {
	m := dsMessage(t)
	for _, f := range []config.MessageFormat{config.FormatXML, config.FormatLongText, config.FormatShortText} {
		_, err := Render(m, f, Options{SizeLimit: config.MinMessageSize})
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: %v, want ErrTooLarge", f, err)
		}
	}
	// A message that only its description makes too large.
	m.Description = strings.Repeat("d", 4000)
	if _, err := XML(m, Options{SizeLimit: 3000}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("long description: %v, want ErrTooLarge", err)
	}
}

// TestSizeLimitLineCut: a cut ends at a line end when one lies in the
// second half of what fits.
func TestSizeLimitLineCut(t *testing.T) {
	m := dsMessage(t)
	var lines []string
	for range 200 {
		lines = append(lines, "Interface GigabitEthernet1/0/1 is up, line protocol is up")
	}
	m.Attachments = []Attachment{{Command: "show interfaces", Output: strings.Join(lines, "\n") + "\n"}}
	full, _ := XML(m, Options{})
	limit := len(full) - 5000
	got, err := XML(m, Options{SizeLimit: limit})
	if err != nil {
		t.Fatal(err)
	}
	_, outs := outputsOf(t, config.FormatXML, got)
	kept, ok := strings.CutSuffix(outs[0], "\n"+TruncationNote(limit)+"\n")
	if !ok {
		t.Fatalf("no note: %q", outs[0])
	}
	for _, l := range strings.Split(kept, "\n") {
		if l != lines[0] {
			t.Fatalf("a line was cut: %q", l)
		}
	}
}
