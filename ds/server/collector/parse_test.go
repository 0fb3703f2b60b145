package collector

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify/callhome"
)

// goldens are the messages the device end's golden tests write: the
// callhome package's (DS, syslog, test in three formats) and the alert
// groups'.
func goldens(t *testing.T) []string {
	var files []string
	for _, dir := range []string{"../../notify/callhome/testdata", "../../alertgroup/testdata"} {
		m, err := filepath.Glob(filepath.Join(dir, "*.golden"))
		if err != nil || len(m) == 0 {
			t.Fatalf("no goldens in %s: %v", dir, err)
		}
		files = append(files, m...)
	}
	return files
}

func TestParseGoldens(t *testing.T) {
	formats := map[string]int{}
	for _, f := range goldens(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(body)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			formats[p.Format]++
			if p.Customer.Hostname == "" && !strings.Contains(f, "privacy-high") {
				t.Errorf("no hostname")
			}
			if p.Format == FormatShort {
				if !strings.Contains(string(body), "Device identification: "+p.Customer.Hostname+"\n") {
					t.Errorf("hostname %q", p.Customer.Hostname)
				}
				return
			}
			if p.Type == "" || p.Device.Serial == "" && !strings.Contains(f, "privacy") {
				t.Errorf("type %q serial %q", p.Type, p.Device.Serial)
			}
			want := strings.Count(string(body), "<aml-block:Attachment ") + strings.Count(string(body), "\nCommand output name: ")
			if len(p.Attachments) != want {
				t.Errorf("%d attachments, want %d", len(p.Attachments), want)
			}
			for _, a := range p.Attachments {
				if a.Command == "" || !strings.Contains(string(body), a.Command) {
					t.Errorf("attachment name %q", a.Command)
				}
			}
			if strings.HasPrefix(filepath.Base(f), "ds") && (p.DSID() != "6030") {
				t.Errorf("DS id %q", p.DSID())
			}
		})
	}
	if formats[FormatXML] == 0 || formats[FormatLong] == 0 || formats[FormatShort] == 0 {
		t.Errorf("formats seen: %v", formats)
	}
}

// TestRoundTrip renders every XML golden again in the three formats with
// the device end's own renderer and reads each back.
func TestRoundTrip(t *testing.T) {
	for _, f := range goldens(t) {
		if !strings.HasSuffix(f, ".xml.golden") {
			continue
		}
		body, _ := os.ReadFile(f)
		orig, err := Parse(body)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []config.MessageFormat{config.FormatXML, config.FormatLongText, config.FormatShortText} {
			out, err := callhome.Render(&orig.Message, format, callhome.Options{To: "https://x/ch/t"})
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(out)
			if err != nil {
				t.Fatalf("%s as %s: %v\n%s", f, format, err, out)
			}
			if p.Customer.Hostname != orig.Customer.Hostname || p.Description != orig.Description || p.Severity != orig.Severity {
				t.Errorf("%s as %s: host %q desc %q sev %d", f, format, p.Customer.Hostname, p.Description, p.Severity)
			}
			if format == config.FormatShortText {
				if orig.Type == callhome.TypeDiagnosticSignature && p.DSID() != orig.DSID() {
					t.Errorf("%s short: DS %q", f, p.DSID())
				}
				continue
			}
			if p.Type != orig.Type || p.SubType != orig.SubType || p.Device.Serial != orig.Device.Serial || p.Device.SoftwareVersion != orig.Device.SoftwareVersion {
				t.Errorf("%s as %s: %q %q %q", f, format, p.Type, p.SubType, p.Device.Serial)
			}
			if len(p.Attachments) != len(orig.Attachments) {
				t.Fatalf("%s as %s: %d attachments, want %d", f, format, len(p.Attachments), len(orig.Attachments))
			}
			for i := range p.Attachments {
				want := orig.Attachments[i]
				if format == config.FormatLongText {
					// the format drops one trailing line feed (callhome.LongText)
					want.Output = strings.TrimSuffix(want.Output, "\n")
				}
				if p.Attachments[i] != want {
					t.Errorf("%s as %s: attachment %d\n%q\nwant\n%q", f, format, i, p.Attachments[i], want)
				}
			}
		}
	}
}

func TestParseNXOS(t *testing.T) {
	body, err := os.ReadFile("testdata/nxos-inventory.xml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if p.Type != "inventory" || p.SubType != "delta" || p.Customer.Hostname != "nx-core-1" || p.Device.Serial != "FOX1234ABCD" ||
		p.Device.PID != "N7K-C7010" || p.Device.SoftwareVersion != "4.0(1a)" || p.Customer.CCOID != "" || p.AMLMessageID != "1006:FOX1234ABCD:478F82E6" {
		t.Errorf("%+v", p)
	}
	if len(p.Attachments) != 1 || !strings.HasPrefix(p.Attachments[0].Output, "Mod  Ports") || !strings.HasSuffix(p.Attachments[0].Output, "Xbar <1> & fabric") {
		t.Errorf("attachment %q", p.Attachments)
	}
}

func TestParseRefused(t *testing.T) {
	for name, body := range map[string]string{
		"doctype":  `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Envelope><Type>x</Type></Envelope>`,
		"laughs":   `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><Envelope>&lol2;</Envelope>`,
		"entity":   `<Envelope><Block><Header><Type>&xxe;</Type></Header></Block></Envelope>`,
		"external": `<!DOCTYPE x SYSTEM "file:///etc/passwd"><Envelope>&x;</Envelope>`,
		"unclosed": `<Envelope><Block><Header><Type>x</Type>`,
		"no type":  `<Envelope></Envelope>`,
		"garbage":  "hello",
		"bad utf8": "<Envelope><Block><Header><Type>\xff</Type></Header></Block></Envelope>",
	} {
		if _, err := Parse([]byte(body)); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: %v, want refused", name, err)
		}
	}
}

// TestLongTextNotUTF8: the text formats carry bytes as they are.
func TestLongTextNotUTF8(t *testing.T) {
	body, _ := os.ReadFile("../../notify/callhome/testdata/ds.long.txt.golden")
	body = []byte(strings.Replace(string(body), "edge-1#\n", "caf\xe9 \xff\xfe\n", 1))
	p, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(p.Attachments[1].Output, "caf\xe9 \xff\xfe") {
		t.Errorf("%q", p.Attachments[1].Output)
	}
}
