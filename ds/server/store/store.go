// Package store keeps what the Call Home collector receives: devices,
// messages, their attachments (deduplicated by SHA-256, size-capped), the
// DS assignments and each device's DS statuses, and the console's users.
// One implementation over database/sql serves SQLite (modernc.org/sqlite,
// WAL, the embedded default) and PostgreSQL (pgx); the schema is versioned
// in migrations.go.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrUnavailable wraps every error that means the database cannot be
// used right now (file gone, connection dropped): the collector answers
// 503 so devices retry from their outbox.
var ErrUnavailable = errors.New("database unavailable")

// ErrNotFound is returned for a missing device, message, attachment or user.
var ErrNotFound = errors.New("not found")

// DefaultAttachmentCap is the largest attachment kept whole; longer ones
// are cut and marked Truncated.
const DefaultAttachmentCap = 1 << 20

// Device is one sender, identified by hostname and serial number.
type Device struct {
	ID        int64
	Hostname  string
	Serial    string
	DeviceID  string // PID@C@Serial as the messages say
	Model     string
	Profile   string // the DS profile its DS requests name
	Software  string
	FirstSeen time.Time
	LastSeen  time.Time
	Messages  int64
	// LastSeverity is the highest severity among its messages of the
	// last hour, the console's health mark.
	LastSeverity int
	DS           []DeviceDS
}

// DeviceDS is one DS on one device: what its last DS request said, and
// when the DS last fired (sent a message).
type DeviceDS struct {
	DeviceID  int64
	Hostname  string
	DSID      string
	Revision  string
	Status    string
	UpdatedAt time.Time
	LastFired time.Time
	Fired     int64
}

// Message is one received Call Home message.
type Message struct {
	ID          int64
	DeviceID    int64
	Hostname    string
	Serial      string
	ReceivedAt  time.Time
	Format      string // xml, long-text, short-text
	Type        string
	SubType     string
	DSID        string // the DS id of a diagnostic-signature message
	Severity    int
	EventTime   string // as the message wrote it
	MessageID   string // aml-session:MessageId or X-Message-Id; dedups retries
	Description string
	// Fields are the other AML fields, name → value, for the message page.
	Fields      map[string]string
	Raw         []byte // the body as received (capped like an attachment)
	Attachments []Attachment
}

// Attachment is one command output of a message.
type Attachment struct {
	Seq       int
	Name      string
	SHA256    string
	Size      int64 // the original size
	Data      []byte
	Truncated bool
}

// Filter selects messages; zero fields match everything.
type Filter struct {
	DeviceID int64
	DSID     string
	Type     string
	Hostname string // substring
	Text     string // substring of an attachment's text
	BeforeID int64  // messages with a smaller id (paging)
	Limit    int    // default 100
}

// HourCount is how many messages of one type arrived in one hour.
type HourCount struct {
	Hour  time.Time
	Type  string
	Count int64
}

// User is a console user.
type User struct {
	Name string
	Hash string // bcrypt
	Role string // RoleAdmin or RoleReadOnly
}

// Console roles.
const (
	RoleAdmin    = "admin"
	RoleReadOnly = "read-only"
)

// Assignment gives a profile a DS (the admin's edit in the console).
type Assignment struct {
	Profile string
	DSID    string
}

// Store is the storage the collector and the console use. Every method
// may return an error wrapping ErrUnavailable.
type Store interface {
	// SaveMessage stores m and its device (created or updated), and
	// returns the message id. A message whose MessageID the device sent
	// before is not stored twice: dup is true and id the first one's.
	SaveMessage(ctx context.Context, m *Message) (id int64, dup bool, err error)
	// SaveDeviceDS records what a device's DS request said.
	SaveDeviceDS(ctx context.Context, hostname, serial, profile string, at time.Time, ds []DeviceDS) error
	Devices(ctx context.Context) ([]Device, error)
	Device(ctx context.Context, id int64) (*Device, error)
	Messages(ctx context.Context, f Filter) ([]Message, error)
	// Message returns a message with its attachments' names and sizes
	// (Data nil); Attachment returns one with its data.
	Message(ctx context.Context, id int64) (*Message, error)
	Attachment(ctx context.Context, msgID int64, seq int) (*Attachment, error)
	CountMessages(ctx context.Context) (int64, error)
	// Hourly counts messages per hour and type received in the hours
	// from from's to the one before to's (to rounded up to an hour), of
	// one device (or all when deviceID is 0).
	Hourly(ctx context.Context, from, to time.Time, deviceID int64) ([]HourCount, error)
	// DSDevices lists every device's status of one DS (all DS if id is "").
	DSDevices(ctx context.Context, id string) ([]DeviceDS, error)
	Assignments(ctx context.Context) ([]Assignment, error)
	SetAssignment(ctx context.Context, a Assignment, on bool) error
	// PutToken lets devices of profile post with token (kept as its
	// SHA-256); TokenProfile finds the profile of a token.
	PutToken(ctx context.Context, profile, token string) error
	TokenProfile(ctx context.Context, token string) (string, error)
	PutUser(ctx context.Context, u User) error
	User(ctx context.Context, name string) (*User, error)
	Ping(ctx context.Context) error
	Close() error
}
