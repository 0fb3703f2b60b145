package emailto

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"github.com/dsengine/dsengine/internal/golden"
	"github.com/dsengine/dsengine/internal/testserver"
)

// mailDevice keeps the mail an action hands it; the action uses nothing
// else of the device.
type mailDevice struct {
	action.Device
	got *action.Mail
}

func (d mailDevice) Mail(_ context.Context, m action.Mail) (string, error) {
	*d.got = m
	return "mailed", nil
}

// part is one decoded part of a multipart body.
type part struct {
	ctype, disposition, description, text string
}

// parts decodes a multipart/mixed body.
func parts(t *testing.T, contentType, body string) []part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q: %v", contentType, err)
	}
	r := multipart.NewReader(strings.NewReader(body), params["boundary"])
	var out []part
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		var rd io.Reader = p
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			rd = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(rd)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, part{p.Header.Get("Content-Type"), p.Header.Get("Content-Disposition"),
			p.Header.Get("Content-Description"), strings.ReplaceAll(string(b), "\r\n", "\n")})
	}
}

// The mail of an emailto action carries the outputs of the run's command
// actions so far, each its own part after the text, as exim receives it.
func TestEmailtoOutputsArrive(t *testing.T) {
	mta := testserver.StartExim(t)
	s := newSender(t, mta.Addr())
	run := engine.NewRun(&ds.Signature{ID: "6030", Name: "ActCH"}, engine.Trigger{},
		map[string]string{"ds_hostname": "edge-1", "ds_signature_id": "6030"})
	run.Outputs = []engine.CommandOutput{
		{Command: "show version", Output: "Linux edge-1 6.1.0\nuptime is 3 days\n"},
		{Command: "show logging | include LINK", Output: "Gi0/1 état down\n"}, // not ASCII: quoted-printable
		{Command: "show ip bgp summary", Output: "partial\n", Err: "command timed out after 30s"},
	}
	var got action.Mail
	act := ds.Action{Type: ds.ActionEmailTo, To: "oncall@example.com", Subject: "DS ${ds_signature_id}", Text: "Interface went down."}
	if _, err := (Action{}).Run(context.Background(), run, act, mailDevice{got: &got}); err != nil {
		t.Fatal(err)
	}
	if len(got.Outputs) != 3 {
		t.Fatalf("the action handed %d outputs to the device, want 3", len(got.Outputs))
	}
	err := s.Send(context.Background(), Mail{To: got.To, Subject: got.Subject, Body: got.Body, Outputs: got.Outputs})
	if err != nil {
		t.Fatal(err)
	}
	m := mta.WaitMessages(t, 1)[0]
	golden.Check(t, "testdata/outputs-mail.golden", []byte(strings.ReplaceAll(m.Body, "\r\n", "\n")))
	ps := parts(t, m.Header.Get("Content-Type"), m.Body)
	want := []part{
		{"text/plain; charset=utf-8", "", "", "Interface went down.\n"},
		{`text/plain; charset=utf-8; name="show-version.txt"`, `inline; filename="show-version.txt"`, "show version",
			"Linux edge-1 6.1.0\nuptime is 3 days\n"},
		{`text/plain; charset=utf-8; name="show-logging-include-link.txt"`, `inline; filename="show-logging-include-link.txt"`,
			"show logging | include LINK", "Gi0/1 état down\n"},
		{`text/plain; charset=utf-8; name="show-ip-bgp-summary.txt"`, `inline; filename="show-ip-bgp-summary.txt"`,
			"show ip bgp summary", "partial\n\n*** command timed out after 30s ***\n"},
	}
	if len(ps) != len(want) {
		t.Fatalf("%d parts, want %d: %+v", len(ps), len(want), ps)
	}
	for i := range want {
		if ps[i] != want[i] {
			t.Errorf("part %d:\n got %+v\nwant %+v", i, ps[i], want[i])
		}
	}
}

// Over the size limit, the outputs are cut longest first to one common
// length, each cut one ending with the call-home note; a short one stays
// whole. When the text alone does not fit, the mail is refused.
func TestComposeSizeLimit(t *testing.T) {
	long := strings.Repeat("0123456789 interface counters line\n", 200) // 7,200 bytes
	m := Mail{To: []string{"a@example.com"}, Body: "Three outputs.\n", SizeLimit: 3000, Outputs: []callhome.Attachment{
		{Command: "show interfaces", Output: long},
		{Command: "show clock", Output: "14:00:00 UTC\n"},
		{Command: "show interfaces", Output: long}, // a second file of the same name
	}}
	ct, body, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > 3000 || len(body) < 2800 {
		t.Errorf("body is %d bytes; want at most the limit 3000, and close to it", len(body))
	}
	ps := parts(t, ct, string(body))
	note := "\n*** output truncated: message-size-limit 3000 ***\n"
	if len(ps) != 4 || ps[2].text != "14:00:00 UTC\n" || !strings.Contains(ps[3].disposition, `"show-interfaces-2.txt"`) {
		t.Fatalf("parts %+v", ps)
	}
	for _, i := range []int{1, 3} {
		cut, ok := strings.CutSuffix(ps[i].text, note)
		if !ok || !strings.HasPrefix(long, cut) || len(cut) < 500 || !strings.HasSuffix(cut, "line") {
			t.Errorf("part %d is not the output cut at a line end with the note: %q", i, ps[i].text)
		}
	}

	m.SizeLimit = 50
	if _, _, err := Compose(m); !errors.Is(err, callhome.ErrTooLarge) || !strings.Contains(err.Error(), "message-size-limit 50") {
		t.Errorf("text over the limit: err = %v", err)
	}
	// Without outputs the text goes as it is, text/plain.
	m.Outputs = nil
	if ct, body, err := Compose(m); err != nil || ct != "text/plain; charset=utf-8" || string(body) != m.Body {
		t.Errorf("no outputs: %q %q %v", ct, body, err)
	}
}
