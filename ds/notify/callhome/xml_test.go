package callhome

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dsengine/dsengine/ds/config"
)

// hostile are inputs that break naive XML writers.
var hostile = map[string]string{
	"cdata end":         "before ]]> after",
	"cdata ends":        "]]>]]]]>>]]]>]]",
	"cdata open":        "<![CDATA[ inner ]]> tail",
	"markup":            `<tag attr="x">&amp; & < > ' "</tag>`,
	"nul":               "a\x00b\x00",
	"controls":          "\x01\x02\x07\x08\x0b\x0c\x1b[31mred\x1b[0m\x1f\x7f",
	"invalid utf-8":     "ok \xff\xfe \xc3\x28 \xe2\x82 \xed\xa0\x80 end",
	"nonchars":          "\uFFFE\uFFFF\uFFFD",
	"crlf":              "line 1\r\nline 2\rline 3\n",
	"tabs":              "\tcol\tcol\t",
	"astral":            "emoji 😀 and 𝄞",
	"huge line":         strings.Repeat("x<&]]>", 20000),
	"empty":             "",
	"only cdata end":    "]]>",
	"trailing brackets": "text]]",
}

// TestXMLWellFormed renders every hostile input as description, command,
// output and system description, parses the message back with
// encoding/xml and checks the text survived up to the documented
// replacements.
func TestXMLWellFormed(t *testing.T) {
	for name, in := range hostile {
		t.Run(name, func(t *testing.T) {
			m := dsMessage(t)
			m.Description = in
			m.SubType = in
			m.Device.SystemDescription = in
			m.Attachments = []Attachment{{Command: in, Output: in}, {Command: "show version", Output: in + "\n"}}
			got, err := XML(m, Options{To: in})
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(got) {
				t.Error("not valid UTF-8")
			}
			p, err := parseXML(got)
			if err != nil {
				t.Fatalf("does not parse: %v", err)
			}
			want := Sanitize(in)
			ch := p.Block.CallHome
			if ch.Description != want || ch.SubType != want || p.Session.To != want {
				t.Errorf("description/subtype/to = %q / %q / %q, want %q", ch.Description, ch.SubType, p.Session.To, want)
			}
			var sysDescr string
			for _, ad := range ch.Chassis.AD {
				if ad.Name == "SystemDescription" {
					sysDescr = ad.Value
				}
			}
			if sysDescr != want {
				t.Errorf("SystemDescription = %q, want %q", sysDescr, want)
			}
			if len(p.Block.Attachments) != 2 {
				t.Fatalf("%d attachments", len(p.Block.Attachments))
			}
			a := p.Block.Attachments[0]
			if a.Name != want || a.Data.Text != normalizeLineEnds(want) || a.Type != "inline" || a.Data.Encoding != "plain" {
				t.Errorf("attachment = %q %q %q %q, want %q and %q", a.Type, a.Name, a.Data.Encoding, a.Data.Text, want, normalizeLineEnds(want))
			}
		})
	}
}

// TestXMLHugeLine sends a 2 MiB output without a line end.
func TestXMLHugeLine(t *testing.T) {
	m := dsMessage(t)
	line := strings.Repeat("0123456789abcdef", 1<<17)
	m.Attachments = []Attachment{{Command: "show tech-support", Output: line}}
	got, err := XML(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseXML(got)
	if err != nil {
		t.Fatal(err)
	}
	if p.Block.Attachments[0].Data.Text != line {
		t.Error("the line did not survive")
	}
}

// TestXMLFields checks the parsed fields of the DS message.
func TestXMLFields(t *testing.T) {
	m := dsMessage(t)
	got, err := XML(m, Options{To: "https://collector.example.com/callhome"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseXML(got)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"To", p.Session.To, "https://collector.example.com/callhome"},
		{"Via", p.Session.Via, "http://www.cisco.com/appliance/uri"},
		{"From", p.Session.From, "http://www.cisco.com/appliance/uri"},
		{"MessageId", p.Session.MessageID, "M8:8F3C2A91D04E:6631FA23"},
		{"Type", p.Block.Type, "http://www.cisco.com/2005/05/callhome/diagnostic-signature"},
		{"CreationDate", p.Block.CreationDate, "2024-05-01 08:15:31 GMT+00:00"},
		{"GroupId", p.Block.GroupID, "G9:8F3C2A91D04E:6631FA23"},
		{"Severity", p.Block.Severity, "4"},
		{"version", p.Block.CallHome.Version, "1.0"},
		{"EventTime", p.Block.CallHome.EventTime, "2024-05-01 10:15:30 GMT+02:00"},
		{"Event/Type", p.Block.CallHome.Type, "diagnostic-signature"},
		{"Event/SubType", p.Block.CallHome.SubType, "6030"},
		{"DeviceId", p.Block.CallHome.DeviceID, "Linux@C@8F3C2A91D04E"},
		{"SystemInfo/Name", p.Block.CallHome.Name, "edge-1"},
		{"Model", p.Block.CallHome.Chassis.Model, "Linux"},
		{"Attachment 2", p.Block.Attachments[1].Name, "show logging | include UPDOWN"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if p.Block.Attachments[0].Data.Text != m.Attachments[0].Output {
		t.Errorf("output changed: %q", p.Block.Attachments[0].Data.Text)
	}
}

func TestSanitize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain\ttext\r\n", "plain\ttext\r\n"},
		{"a\x00b", "a\uFFFDb"},
		{"\x1b[0m", "\uFFFD[0m"},
		{"\xff\xfe", "\uFFFD\uFFFD"},
		{"\xe2\x82", "\uFFFD\uFFFD"},
		{"\uFFFE", "\uFFFD"},
		{"é\u0085\u007f", "é\u0085\u007f"},
	}
	for _, c := range cases {
		if got := Sanitize(c.in); got != c.want {
			t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	m := dsMessage(t)
	for _, lim := range []int{1, 49, config.MaxMessageSize + 1} {
		if _, err := XML(m, Options{SizeLimit: lim}); err == nil {
			t.Errorf("limit %d accepted", lim)
		}
	}
	bad := m.Clone()
	bad.Severity = 10
	if _, err := XML(bad, Options{}); err == nil {
		t.Error("severity 10 accepted")
	}
	bad = m.Clone()
	bad.Type = ""
	if _, err := LongText(bad, Options{}); err == nil {
		t.Error("empty type accepted")
	}
	if _, err := Render(m, "html", Options{}); err == nil {
		t.Error("format html accepted")
	}
}
