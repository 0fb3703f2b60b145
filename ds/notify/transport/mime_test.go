package transport

import (
	"strings"
	"testing"
	"time"
)

func TestSubject(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	got := Subject("edge-1", "syslog", "LINK-3-UPDOWN", time.Date(2026, 11, 23, 15, 4, 5, 0, cet))
	if want := "System Notification From edge-1 - syslog:LINK-3-UPDOWN - 2026-11-23 15:04:05 GMT+01:00"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestComposeMail(t *testing.T) {
	msg := Envelope{
		Subject: "two\r\nBcc: victim@example.com",
		Body:    []byte("line one\nline two\r\n"),
	}
	data := string(composeMail("a@example.com", "", []string{"b@example.com"}, msg, t0, "<id@example.com>"))
	head, body, ok := strings.Cut(data, "\r\n\r\n")
	if !ok {
		t.Fatalf("no header end in %q", data)
	}
	if strings.Contains(head, "\r\nBcc:") || !strings.Contains(head, "Subject: two  Bcc: victim@example.com\r\n") {
		t.Errorf("header injection not neutralised:\n%s", head)
	}
	if strings.Contains(head, "Reply-To") {
		t.Error("empty Reply-To written")
	}
	if body != "line one\r\nline two\r\n" {
		t.Errorf("body %q", body)
	}
	for _, l := range strings.Split(data, "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("bare CR or LF in line %q", l)
		}
	}
}

func TestFoldList(t *testing.T) {
	var addrs []string
	for range 8 {
		addrs = append(addrs, "someone.with.a.long.name@example.com")
	}
	got := foldList(addrs, len("To: "))
	for i, l := range strings.Split(got, "\r\n") {
		if i == 0 {
			l = "To: " + l
		}
		if len(l) > 78 {
			t.Errorf("line of %d characters: %q", len(l), l)
		}
	}
	if strings.ReplaceAll(got, "\r\n", "") != strings.Join(addrs, ", ") {
		t.Errorf("folded list does not unfold to the list: %q", got)
	}
}

func TestSevenBit(t *testing.T) {
	for body, want := range map[string]bool{
		"plain\r\ntext\n":        true,
		"caf\xc3\xa9\n":          false,
		"bare\rcr":               false,
		strings.Repeat("x", 998): true,
		strings.Repeat("x", 999): false,
	} {
		if got := sevenBit([]byte(body)); got != want {
			t.Errorf("sevenBit(%.20q) = %v", body, got)
		}
	}
}
