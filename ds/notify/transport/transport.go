package transport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

// The transport names, as "destination transport-method" writes them.
const (
	NameEmail = "email"
	NameHTTP  = "http"
)

// Content types of the message formats.
const (
	// ContentTypeXML is the type of an xml-format message: the body is a
	// SOAP 1.2 envelope (RFC 3902).
	ContentTypeXML = "application/soap+xml; charset=utf-8"
	// ContentTypeText is the type of long-text and short-text messages and
	// of emailto mails.
	ContentTypeText = "text/plain; charset=utf-8"
)

// ContentType returns the Content-Type of a message rendered in format.
func ContentType(format config.MessageFormat) string {
	if format == config.FormatXML || format == "" {
		return ContentTypeXML
	}
	return ContentTypeText
}

// Transport delivers rendered messages. Send may be called from several
// goroutines at once.
type Transport interface {
	// Name is "email" or "http".
	Name() string
	// Send delivers msg to every destination in msg.To. It returns nil
	// when all got it; otherwise an *Error or several joined, naming the
	// destinations not delivered and whether a later retry may help.
	Send(ctx context.Context, msg Envelope) error
}

// Envelope is one rendered message and the destinations of one transport.
type Envelope struct {
	// ID names the message; it stays the same across retries, so a
	// receiver can recognise a message sent twice. The email transport
	// sends it in Message-ID, the http transport in X-Message-Id.
	ID string
	// To are the destinations: mail addresses for email, http:// or
	// https:// URLs for http.
	To []string
	// Subject is the mail subject (email only); see Subject.
	Subject string
	// ContentType is the body's type; empty means ContentTypeText.
	ContentType string
	// Body is the rendered message.
	Body []byte
	// Time is when the message was made: the mail's Date header. Zero
	// means the transport clock's now.
	Time time.Time
}

// NewID returns a unique message ID that sorts by time: the UTC time with
// nanoseconds, then 8 random hex digits, e.g.
// "20261123T140000.000000000Z-3f9a2b1c".
func NewID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return now.UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(b[:])
}

// Subject forms a call-home mail subject the way IOS does:
// "System Notification From HOST - TYPE:NAME - YYYY-MM-DD HH:MM:SS GMT+HH:MM",
// e.g. "System Notification From edge-1 - diagnostic-signature:6030 -
// 2026-11-23 14:00:00 GMT+00:00". eventType is the message's event type
// (an alert group, "test", or "diagnostic-signature") and name its subtype
// or message name. The guides show no subject; this is the form IOS XE
// devices send.
func Subject(host, eventType, name string, t time.Time) string {
	return "System Notification From " + host + " - " + eventType + ":" + name + " - " +
		t.Format("2006-01-02 15:04:05 GMT-07:00")
}
