package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify/transport"
)

// MessageType is a row of "show call-home statistics".
type MessageType string

// The message types, named as the statistics table names them.
const (
	TypeConfig      MessageType = "Config"
	TypeCrash       MessageType = "Crash"
	TypeDiagnostic  MessageType = "Diagnostic"
	TypeEnvironment MessageType = "Environment"
	TypeInventory   MessageType = "Inventory"
	TypeSnapshot    MessageType = "Snapshot"
	TypeSyslog      MessageType = "SysLog"
	TypeTest        MessageType = "Test"
	TypeRequest     MessageType = "Request"
	TypeSendCLI     MessageType = "Send-CLI"
	// TypeDS counts diagnostic-signature messages (the call-home action of
	// a DS); the guides' tables predate DS and have no row for them.
	TypeDS MessageType = "DS"
)

// MessageTypes returns the types in the order the statistics table lists
// them.
func MessageTypes() []MessageType {
	return []MessageType{TypeConfig, TypeCrash, TypeDiagnostic, TypeEnvironment, TypeInventory,
		TypeSnapshot, TypeSyslog, TypeTest, TypeRequest, TypeSendCLI, TypeDS}
}

// TypeOf returns the statistics row of a message whose event type (the
// callhome.Message Type) is eventType: an alert group ("syslog",
// "configuration", ...), "diagnostic-signature", "test" or "request". An
// unknown type gets a row of its own name.
func TypeOf(eventType string) MessageType {
	switch eventType {
	case string(config.GroupConfiguration):
		return TypeConfig
	case string(config.GroupCrash):
		return TypeCrash
	case string(config.GroupDiagnostic):
		return TypeDiagnostic
	case string(config.GroupEnvironment):
		return TypeEnvironment
	case string(config.GroupInventory):
		return TypeInventory
	case string(config.GroupSnapshot):
		return TypeSnapshot
	case string(config.GroupSyslog):
		return TypeSyslog
	case "test":
		return TypeTest
	case "request":
		return TypeRequest
	case "send-cli":
		return TypeSendCLI
	case "diagnostic-signature":
		return TypeDS
	}
	return MessageType(eventType)
}

// Message is a rendered call-home message and where it goes.
type Message struct {
	Type        MessageType
	Subject     string // the mail subject; see transport.Subject
	ContentType string // see transport.ContentType
	Body        []byte
	// To holds the destinations by transport name: "email" → addresses,
	// "http" → URLs. Transports without destinations are skipped.
	To map[string][]string
	// Time is when the message was made; zero means the clock's now.
	Time time.Time
}

// Destinations returns the destinations of a profile by transport: the
// enabled transport methods that have addresses.
func Destinations(p *config.Profile) map[string][]string {
	to := map[string][]string{}
	if p.TransportEmail && len(p.EmailAddresses) > 0 {
		to[transport.NameEmail] = append([]string(nil), p.EmailAddresses...)
	}
	if p.TransportHTTP && len(p.HTTPAddresses) > 0 {
		to[transport.NameHTTP] = append([]string(nil), p.HTTPAddresses...)
	}
	return to
}

// Enqueuer accepts a message for delivery. Each stage of the send path
// implements it and hands the message to the next.
type Enqueuer interface {
	Enqueue(ctx context.Context, msg Message) error
}

// Errors of Enqueue, for errors.Is.
var (
	// ErrRateLimited: the message was over the rate limit and dropped.
	ErrRateLimited = errors.New("call-home rate limit reached; message dropped")
	// ErrNoDestination: the message has no destination of any transport.
	ErrNoDestination = errors.New("no destination")
	// ErrClosed: the outbox was closed.
	ErrClosed = errors.New("outbox closed")
)

// record is one outbox file: a message for one transport. On disk it is
// this header as one line of JSON, a newline, then the body.
type record struct {
	Version     int         `json:"v"`
	ID          string      `json:"id"`
	Transport   string      `json:"transport"`
	Type        MessageType `json:"type"`
	To          []string    `json:"to"`               // destinations still to serve
	Failed      []string    `json:"failed,omitempty"` // destinations that refused it for good
	Subject     string      `json:"subject,omitempty"`
	ContentType string      `json:"content_type,omitempty"`
	Created     time.Time   `json:"created"`
	body        []byte
}

// recordVersion is the format written; readers refuse others.
const recordVersion = 1

// name is the outbox file name: "<id>.<transport>".
func (r *record) name() string { return r.ID + "." + r.Transport }

// encode returns the file's bytes.
func (r *record) encode() ([]byte, error) {
	r.Version = recordVersion
	h, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(h)+1+len(r.body))
	out = append(append(h, '\n'), r.body...)
	return out, nil
}

// decode reads a file written by encode.
func decode(data []byte) (*record, error) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return nil, errors.New("no header line")
	}
	var r record
	if err := json.Unmarshal(data[:i], &r); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if r.Version != recordVersion {
		return nil, fmt.Errorf("format version %d; this dsengine reads %d", r.Version, recordVersion)
	}
	if r.ID == "" || r.Transport == "" || len(r.To) == 0 {
		return nil, errors.New("header without id, transport or destination")
	}
	r.body = data[i+1:]
	return &r, nil
}

// envelope is what the transport gets.
func (r *record) envelope() transport.Envelope {
	return transport.Envelope{
		ID: r.ID, To: r.To, Subject: r.Subject, ContentType: r.ContentType, Body: r.body, Time: r.Created,
	}
}
