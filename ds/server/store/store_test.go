package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/internal/testserver"
)

var t0 = time.Date(2026, 12, 6, 10, 30, 0, 0, time.UTC)

// opener makes a fresh, empty store for a test.
type opener func(t *testing.T) *SQL

func sqliteOpener(t *testing.T) *SQL {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), SQLiteFile), Options{Now: func() time.Time { return t0 }, AttachmentCap: 64})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var (
	pgOnce sync.Mutex
	pgN    int
)

// pgOpener starts one PostgreSQL for the test and gives each subtest its
// own database.
func pgOpener(t *testing.T) opener {
	pg := testserver.StartPostgres(t)
	return func(t *testing.T) *SQL {
		pgOnce.Lock()
		pgN++
		name := fmt.Sprintf("t%d", pgN)
		pgOnce.Unlock()
		admin, err := sql.Open("pgx", pg.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			t.Fatal(err)
		}
		url := strings.Replace(pg.URL, "/postgres?", "/"+name+"?", 1)
		s, err := Open(context.Background(), url, Options{Now: func() time.Time { return t0 }, AttachmentCap: 64})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

func TestSQLite(t *testing.T) { suite(t, sqliteOpener) }

func TestPostgres(t *testing.T) { suite(t, pgOpener(t)) }

func msg(host, key, typ, ds string, at time.Time, atts ...string) *Message {
	m := &Message{Hostname: host, Serial: "SER1", ReceivedAt: at, Format: "xml", Type: typ, DSID: ds, SubType: ds,
		Severity: 4, MessageID: key, Description: "d", Fields: map[string]string{"DeviceId": "Linux@C@SER1", "Model": "Linux"},
		Raw: []byte("<raw/>")}
	for i, a := range atts {
		m.Attachments = append(m.Attachments, Attachment{Name: fmt.Sprintf("show %d", i), Data: []byte(a)})
	}
	return m
}

func suite(t *testing.T, open opener) {
	ctx := context.Background()
	t.Run("messages", func(t *testing.T) {
		s := open(t)
		id1, dup, err := s.SaveMessage(ctx, msg("edge-1", "M1:SER1:1", "diagnostic-signature", "6030", t0, "same output", "other"))
		if err != nil || dup {
			t.Fatal(err, dup)
		}
		// the same output again: one attachment_data row
		id2, _, err := s.SaveMessage(ctx, msg("edge-1", "M2:SER1:1", "syslog", "", t0.Add(time.Minute), "same output"))
		if err != nil {
			t.Fatal(err)
		}
		// a retry of the first
		id3, dup, err := s.SaveMessage(ctx, msg("edge-1", "M1:SER1:1", "diagnostic-signature", "6030", t0, "same output"))
		if err != nil || !dup || id3 != id1 {
			t.Fatalf("retry: id %d dup %v err %v, want %d true", id3, dup, err, id1)
		}
		var n int
		if err := s.db.QueryRow(`SELECT COUNT(*) FROM attachment_data`).Scan(&n); err != nil || n != 2 {
			t.Errorf("attachment_data rows %d (%v), want 2 (deduplicated)", n, err)
		}
		if c, _ := s.CountMessages(ctx); c != 2 {
			t.Errorf("messages %d, want 2", c)
		}
		m, err := s.Message(ctx, id1)
		if err != nil {
			t.Fatal(err)
		}
		if m.Hostname != "edge-1" || m.DSID != "6030" || len(m.Attachments) != 2 || m.Attachments[1].Name != "show 1" || m.Fields["Model"] != "Linux" {
			t.Errorf("message %+v", m)
		}
		a, err := s.Attachment(ctx, id2, 0)
		if err != nil || string(a.Data) != "same output" {
			t.Errorf("attachment %+v %v", a, err)
		}
		if _, err := s.Attachment(ctx, id2, 5); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing attachment: %v", err)
		}
		if _, err := s.Message(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing message: %v", err)
		}
		list, err := s.Messages(ctx, Filter{})
		if err != nil || len(list) != 2 || list[0].ID != id2 {
			t.Errorf("messages newest first: %+v %v", list, err)
		}
		list, _ = s.Messages(ctx, Filter{DSID: "6030"})
		if len(list) != 1 || list[0].ID != id1 {
			t.Errorf("by DS: %+v", list)
		}
		list, _ = s.Messages(ctx, Filter{Text: "OTHER"})
		if len(list) != 1 || list[0].ID != id1 {
			t.Errorf("by attachment text: %+v", list)
		}
		list, _ = s.Messages(ctx, Filter{Type: "syslog"})
		if len(list) != 1 || list[0].ID != id2 {
			t.Errorf("by type: %+v", list)
		}
	})
	t.Run("cap and bad bytes", func(t *testing.T) {
		s := open(t)
		big := strings.Repeat("x", 100)
		id, _, err := s.SaveMessage(ctx, msg("edge-1", "", "syslog", "", t0, big, "\xff\xfe\x00latin1 caf\xe9"))
		if err != nil {
			t.Fatal(err)
		}
		a, _ := s.Attachment(ctx, id, 0)
		if len(a.Data) != 64 || !a.Truncated || a.Size != 100 {
			t.Errorf("capped: %d bytes truncated %v size %d", len(a.Data), a.Truncated, a.Size)
		}
		a, _ = s.Attachment(ctx, id, 1)
		if string(a.Data) != "\xff\xfe\x00latin1 caf\xe9" {
			t.Errorf("non-UTF-8 bytes changed: %q", a.Data)
		}
		if l, _ := s.Messages(ctx, Filter{Text: "latin1"}); len(l) != 1 {
			t.Errorf("non-UTF-8 attachment not searchable")
		}
	})
	t.Run("metacharacters", func(t *testing.T) {
		s := open(t)
		evil := `x'); DROP TABLE messages;-- <script>%_`
		if _, _, err := s.SaveMessage(ctx, msg(evil, "", "syslog", "", t0, evil)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SaveMessage(ctx, msg("plain", "", "syslog", "", t0)); err != nil {
			t.Fatal(err)
		}
		l, err := s.Messages(ctx, Filter{Hostname: "%_"})
		if err != nil || len(l) != 1 || l[0].Hostname != evil {
			t.Errorf("hostname search for %%_: %+v %v", l, err)
		}
		if l, _ := s.Messages(ctx, Filter{Text: "drop table"}); len(l) != 1 {
			t.Errorf("text search: %d", len(l))
		}
	})
	t.Run("devices and DS", func(t *testing.T) {
		s := open(t)
		if err := s.SaveDeviceDS(ctx, "edge-2", "SER2", "user1", t0, []DeviceDS{{DSID: "6030", Revision: "2", Status: "running"}}); err != nil {
			t.Fatal(err)
		}
		m := msg("edge-2", "", "diagnostic-signature", "6030", t0.Add(-30*time.Minute))
		m.Serial, m.Severity = "SER2", 7
		if _, _, err := s.SaveMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SaveMessage(ctx, msg("edge-1", "", "syslog", "", t0.Add(-2*time.Hour))); err != nil {
			t.Fatal(err)
		}
		devs, err := s.Devices(ctx)
		if err != nil || len(devs) != 2 {
			t.Fatal(devs, err)
		}
		d := devs[0]
		if d.Hostname != "edge-2" || d.Profile != "user1" || d.Messages != 1 || d.LastSeverity != 7 || len(d.DS) != 1 ||
			d.DS[0].Status != "running" || d.DS[0].Fired != 1 || !d.LastSeen.Equal(t0) {
			t.Errorf("device %+v", d)
		}
		if devs[1].LastSeverity != -1 {
			t.Errorf("no message in the last hour: severity %d", devs[1].LastSeverity)
		}
		x, err := s.DSDevices(ctx, "6030")
		if err != nil || len(x) != 1 || x[0].Hostname != "edge-2" || x[0].Revision != "2" {
			t.Errorf("DS devices %+v %v", x, err)
		}
		one, err := s.Device(ctx, d.ID)
		if err != nil || one.Hostname != "edge-2" {
			t.Errorf("device %+v %v", one, err)
		}
		if h, _ := s.Hourly(ctx, t0.Add(-3*time.Hour), t0.Add(time.Hour), d.ID); len(h) != 1 || h[0].Type != "diagnostic-signature" {
			t.Errorf("hourly of edge-2: %+v", h)
		}
		h, err := s.Hourly(ctx, t0.Add(-3*time.Hour), t0.Add(time.Hour), 0)
		if err != nil || len(h) != 2 || h[0].Type != "syslog" || !h[0].Hour.Equal(t0.Truncate(time.Hour).Add(-2*time.Hour)) || h[1].Count != 1 {
			t.Errorf("hourly %+v %v", h, err)
		}
	})
	t.Run("users and assignments", func(t *testing.T) {
		s := open(t)
		if _, err := s.User(ctx, "ann"); !errors.Is(err, ErrNotFound) {
			t.Errorf("no user: %v", err)
		}
		if err := s.PutUser(ctx, User{Name: "ann", Hash: "h", Role: RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutUser(ctx, User{Name: "ann", Hash: "h2", Role: RoleReadOnly}); err != nil {
			t.Fatal(err)
		}
		u, err := s.User(ctx, "ann")
		if err != nil || u.Hash != "h2" || u.Role != RoleReadOnly {
			t.Errorf("user %+v %v", u, err)
		}
		if err := s.PutToken(ctx, "user1", "secret-token"); err != nil {
			t.Fatal(err)
		}
		if p, err := s.TokenProfile(ctx, "secret-token"); err != nil || p != "user1" {
			t.Errorf("token: %q %v", p, err)
		}
		if _, err := s.TokenProfile(ctx, "other"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown token: %v", err)
		}
		_ = s.SetAssignment(ctx, Assignment{"user1", "6030"}, true)
		_ = s.SetAssignment(ctx, Assignment{"user1", "6030"}, true)
		_ = s.SetAssignment(ctx, Assignment{"user1", "6015"}, true)
		_ = s.SetAssignment(ctx, Assignment{"user1", "6015"}, false)
		a, err := s.Assignments(ctx)
		if err != nil || len(a) != 1 || a[0].DSID != "6030" {
			t.Errorf("assignments %+v %v", a, err)
		}
	})
	t.Run("migrations", func(t *testing.T) {
		s := open(t)
		var v, n int
		if err := s.db.QueryRow(`SELECT MAX(version), COUNT(*) FROM schema_migrations`).Scan(&v, &n); err != nil || v != SchemaVersion() || n != SchemaVersion() {
			t.Errorf("schema_migrations: max %d count %d (%v)", v, n, err)
		}
		// applying again is a no-op
		if err := s.migrate(ctx, s.db); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSQLiteDeleted: the database file deleted under a running store is
// refused (ErrUnavailable), then recreated; nothing the device retries is
// lost.
func TestSQLiteDeleted(t *testing.T) {
	ctx := context.Background()
	s := sqliteOpener(t)
	if _, _, err := s.SaveMessage(ctx, msg("edge-1", "M1", "syslog", "", t0)); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(s.path + suffix)
	}
	if _, _, err := s.SaveMessage(ctx, msg("edge-1", "M2", "syslog", "", t0)); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("after delete: %v, want ErrUnavailable", err)
	}
	if _, _, err := s.SaveMessage(ctx, msg("edge-1", "M2", "syslog", "", t0)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if l, _ := s.Messages(ctx, Filter{}); len(l) != 1 || l[0].MessageID != "M2" {
		t.Errorf("after recreate: %+v", l)
	}
}

// TestPostgresDropped: a stopped PostgreSQL is ErrUnavailable; once it is
// back the store works again without reopening.
func TestPostgresDropped(t *testing.T) {
	ctx := context.Background()
	pg := testserver.StartPostgres(t)
	s, err := Open(ctx, pg.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.SaveMessage(ctx, msg("edge-1", "M1", "syslog", "", t0)); err != nil {
		t.Fatal(err)
	}
	pg.Stop(t)
	if _, _, err := s.SaveMessage(ctx, msg("edge-1", "M2", "syslog", "", t0)); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("while stopped: %v, want ErrUnavailable", err)
	}
	pg.Start(t)
	if _, _, err := s.SaveMessage(ctx, msg("edge-1", "M2", "syslog", "", t0)); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if n, _ := s.CountMessages(ctx); n != 2 {
		t.Errorf("messages %d, want 2", n)
	}
}
