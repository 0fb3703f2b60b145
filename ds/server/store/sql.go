package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	_ "modernc.org/sqlite"             // the "sqlite" driver
)

// Options tune Open.
type Options struct {
	// Now is the clock for the health mark's hour; time.Now if nil.
	Now func() time.Time
	// AttachmentCap is the largest attachment (and raw body) kept;
	// DefaultAttachmentCap if zero.
	AttachmentCap int
}

// SQLiteFile is the database file Open makes in a data directory.
const SQLiteFile = "dsengine-server.db"

// SQL is the Store over database/sql.
type SQL struct {
	pg   bool
	dsn  string
	path string // the SQLite file
	opts Options

	mu    sync.Mutex
	db    *sql.DB
	inode uint64 // of the SQLite file when opened: a deleted or replaced file is noticed
}

// Open opens (creating and migrating) the database: dsn is a
// postgres:// or postgresql:// URL, or else the path of a SQLite file.
func Open(ctx context.Context, dsn string, opts Options) (*SQL, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AttachmentCap <= 0 {
		opts.AttachmentCap = DefaultAttachmentCap
	}
	s := &SQL{dsn: dsn, opts: opts}
	s.pg = strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
	if !s.pg {
		s.path = dsn
	}
	db, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	s.db = db
	return s, nil
}

func (s *SQL) open(ctx context.Context) (*sql.DB, error) {
	var db *sql.DB
	var err error
	if s.pg {
		db, err = sql.Open("pgx", s.dsn)
	} else {
		db, err = sql.Open("sqlite", "file:"+s.path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=foreign_keys(1)&_pragma=synchronous(normal)&_txlock=immediate")
		db.SetMaxOpenConns(4)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := s.migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	if !s.pg {
		ino, err := inode(s.path)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
		s.inode = ino
	}
	return db, nil
}

func inode(path string) (uint64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino, nil
	}
	return 0, nil
}

// migrate applies the migrations the database lacks, each in a transaction.
func (s *SQL) migrate(ctx context.Context, db *sql.DB) error {
	where := s.dsnName()
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: %s: %w: %w; check that the database is reachable and writable", where, ErrUnavailable, err)
	}
	var have int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("store: %s: %w", where, err)
	}
	if have >= len(migrations) {
		return fmt.Errorf("store: %s: schema version %d is newer than this dsengine knows (%d); run a newer dsengine", where, have, len(migrations)-1)
	}
	for v := have + 1; v < len(migrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: %s: %w", where, err)
		}
		for _, stmt := range strings.Split(dialectSQL(migrations[v], s.pg), ";") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				tx.Rollback()
				return fmt.Errorf("store: %s: migration %d: %w", where, v, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), v, s.opts.Now().UnixMilli()); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: %s: migration %d: %w", where, v, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: %s: migration %d: %w", where, v, err)
		}
	}
	return nil
}

// dsnName names the database in errors without a password.
func (s *SQL) dsnName() string {
	if !s.pg {
		return s.path
	}
	if i := strings.LastIndex(s.dsn, "@"); i >= 0 {
		return "postgres://…" + s.dsn[i:]
	}
	return s.dsn
}

// SchemaVersion is the newest migration.
func SchemaVersion() int { return len(migrations) - 1 }

// q rewrites ? placeholders as $n for PostgreSQL.
func (s *SQL) q(query string) string {
	if !s.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// conn returns the pool, reopening a SQLite file that went away once it
// is back (or recreating it), and refusing while it is gone.
func (s *SQL) conn(ctx context.Context) (*sql.DB, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pg {
		return s.db, nil
	}
	ino, err := inode(s.path)
	if err == nil && s.db != nil && ino == s.inode {
		return s.db, nil
	}
	if s.db != nil {
		// The file was deleted or replaced under us: what the old handle
		// writes would be lost. Refuse this call; the next one reopens.
		s.db.Close()
		s.db = nil
		return nil, fmt.Errorf("store: %s was deleted or replaced: %w; the next request reopens it", s.path, ErrUnavailable)
	}
	db, err := s.open(ctx)
	if err != nil {
		if !errors.Is(err, ErrUnavailable) {
			err = fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return nil, err
	}
	s.db = db
	return db, nil
}

// fail wraps err as ErrUnavailable when the database does not answer.
func (s *SQL) fail(ctx context.Context, db *sql.DB, what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if ctx.Err() == nil {
		pctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if db.PingContext(pctx) != nil {
			return fmt.Errorf("store: %s: %s: %w: %w", s.dsnName(), what, ErrUnavailable, err)
		}
	}
	return fmt.Errorf("store: %s: %s: %w", s.dsnName(), what, err)
}

// Ping checks the database answers.
func (s *SQL) Ping(ctx context.Context) error {
	db, err := s.conn(ctx)
	if err != nil {
		return err
	}
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: %s: %w: %w", s.dsnName(), ErrUnavailable, err)
	}
	return nil
}

// Close closes the database.
func (s *SQL) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	return err
}

// capBytes cuts b to the cap.
func (s *SQL) capBytes(b []byte) ([]byte, bool) {
	if len(b) > s.opts.AttachmentCap {
		return b[:s.opts.AttachmentCap], true
	}
	return b, false
}

// searchText is an attachment as text for search: valid UTF-8 without NUL
// (PostgreSQL's TEXT takes neither).
func searchText(b []byte) string {
	t := string(b)
	if !utf8.ValidString(t) {
		t = strings.ToValidUTF8(t, "\uFFFD")
	}
	return strings.ReplaceAll(strings.ToLower(t), "\x00", "")
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// SaveMessage implements Store.
func (s *SQL) SaveMessage(ctx context.Context, m *Message) (int64, bool, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return 0, false, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, s.fail(ctx, db, "save message", err)
	}
	defer tx.Rollback()
	id, dup, err := s.saveMessage(ctx, tx, m)
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		return 0, false, s.fail(ctx, db, "save message", err)
	}
	return id, dup, nil
}

// SaveMessages stores many messages in one transaction (imports, and the
// benchmarks' 100,000 messages).
func (s *SQL) SaveMessages(ctx context.Context, ms []*Message) error {
	db, err := s.conn(ctx)
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, db, "save messages", err)
	}
	defer tx.Rollback()
	for _, m := range ms {
		if _, _, err := s.saveMessage(ctx, tx, m); err != nil {
			return s.fail(ctx, db, "save messages", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.fail(ctx, db, "save messages", err)
	}
	return nil
}

func (s *SQL) saveMessage(ctx context.Context, tx *sql.Tx, m *Message) (int64, bool, error) {
	at := m.ReceivedAt.UnixMilli()
	var devID int64
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO devices (hostname, serial, device_id, model, software, first_seen, last_seen)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (hostname, serial) DO UPDATE SET
			device_id = CASE WHEN excluded.device_id <> '' THEN excluded.device_id ELSE devices.device_id END,
			model = CASE WHEN excluded.model <> '' THEN excluded.model ELSE devices.model END,
			software = CASE WHEN excluded.software <> '' THEN excluded.software ELSE devices.software END,
			last_seen = CASE WHEN excluded.last_seen > devices.last_seen THEN excluded.last_seen ELSE devices.last_seen END
		RETURNING id`),
		m.Hostname, m.Serial, m.Fields["DeviceId"], m.Fields["Model"], m.Fields["SoftwareVersion"], at, at).Scan(&devID)
	if err != nil {
		return 0, false, err
	}
	m.DeviceID = devID
	fields, _ := json.Marshal(m.Fields)
	raw, _ := s.capBytes(m.Raw)
	if raw == nil {
		raw = []byte{}
	}
	var id int64
	err = tx.QueryRowContext(ctx, s.q(`INSERT INTO messages (device_id, received_at, format, type, subtype, ds_id, severity, event_time, msg_key, description, fields, raw)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (device_id, msg_key) DO NOTHING RETURNING id`),
		devID, at, m.Format, m.Type, m.SubType, m.DSID, m.Severity, m.EventTime, nullable(m.MessageID), m.Description, string(fields), raw).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		// A retry of a message already stored.
		err = tx.QueryRowContext(ctx, s.q(`SELECT id FROM messages WHERE device_id = ? AND msg_key = ?`), devID, m.MessageID).Scan(&id)
		if err != nil {
			return 0, false, err
		}
		m.ID = id
		return id, true, nil
	}
	if err != nil {
		return 0, false, err
	}
	// The counters the console reads instead of scanning messages.
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE devices SET messages = messages + 1 WHERE id = ?`), devID); err != nil {
		return 0, false, err
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO message_hourly (hour, device_id, type, count) VALUES (?, ?, ?, 1)
		ON CONFLICT (hour, device_id, type) DO UPDATE SET count = message_hourly.count + 1`), at/3600000, devID, m.Type); err != nil {
		return 0, false, err
	}
	for i := range m.Attachments {
		a := &m.Attachments[i]
		sum := sha256.Sum256(a.Data)
		a.SHA256 = hex.EncodeToString(sum[:])
		a.Size = int64(len(a.Data))
		data, cut := s.capBytes(a.Data)
		if data == nil {
			data = []byte{}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO attachment_data (sha256, size, truncated, data, text) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (sha256) DO NOTHING`), a.SHA256, a.Size, boolInt(cut), data, searchText(data)); err != nil {
			return 0, false, err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO message_attachments (message_id, seq, name, sha256) VALUES (?, ?, ?, ?)`),
			id, i, strings.ToValidUTF8(a.Name, "\uFFFD"), a.SHA256); err != nil {
			return 0, false, err
		}
	}
	if m.DSID != "" {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO device_ds_status (device_id, ds_id, last_fired, fired) VALUES (?, ?, ?, 1)
			ON CONFLICT (device_id, ds_id) DO UPDATE SET last_fired = excluded.last_fired, fired = device_ds_status.fired + 1`),
			devID, m.DSID, at); err != nil {
			return 0, false, err
		}
	}
	m.ID = id
	return id, false, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SaveDeviceDS implements Store.
func (s *SQL) SaveDeviceDS(ctx context.Context, hostname, serial, profile string, at time.Time, list []DeviceDS) error {
	db, err := s.conn(ctx)
	if err != nil {
		return err
	}
	err = func() error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		ms := at.UnixMilli()
		var devID int64
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO devices (hostname, serial, profile, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (hostname, serial) DO UPDATE SET profile = excluded.profile,
				last_seen = CASE WHEN excluded.last_seen > devices.last_seen THEN excluded.last_seen ELSE devices.last_seen END
			RETURNING id`), hostname, serial, profile, ms, ms).Scan(&devID); err != nil {
			return err
		}
		for _, d := range list {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO device_ds_status (device_id, ds_id, revision, status, updated_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (device_id, ds_id) DO UPDATE SET revision = excluded.revision, status = excluded.status, updated_at = excluded.updated_at`),
				devID, d.DSID, d.Revision, d.Status, ms); err != nil {
				return err
			}
		}
		return tx.Commit()
	}()
	if err != nil {
		return s.fail(ctx, db, "save device DS", err)
	}
	return nil
}

func ms(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// Devices implements Store: every device, most recent contact first.
func (s *SQL) Devices(ctx context.Context) ([]Device, error) {
	return s.devices(ctx, 0)
}

// Device implements Store.
func (s *SQL) Device(ctx context.Context, id int64) (*Device, error) {
	list, err := s.devices(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

func (s *SQL) devices(ctx context.Context, id int64) ([]Device, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	where, args := "", []any{}
	if id != 0 {
		where, args = "WHERE d.id = ?", append(args, id)
	}
	rows, err := db.QueryContext(ctx, s.q(`SELECT d.id, d.hostname, d.serial, d.device_id, d.model, d.profile, d.software, d.first_seen, d.last_seen, d.messages
		FROM devices d `+where+` ORDER BY d.last_seen DESC, d.id`), args...)
	if err != nil {
		return nil, s.fail(ctx, db, "devices", err)
	}
	var out []Device
	byID := map[int64]int{}
	for rows.Next() {
		var d Device
		var first, last int64
		d.LastSeverity = -1
		if err := rows.Scan(&d.ID, &d.Hostname, &d.Serial, &d.DeviceID, &d.Model, &d.Profile, &d.Software, &first, &last, &d.Messages); err != nil {
			rows.Close()
			return nil, s.fail(ctx, db, "devices", err)
		}
		d.FirstSeen, d.LastSeen = ms(first), ms(last)
		byID[d.ID] = len(out)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, db, "devices", err)
	}
	// The health mark: the last hour's messages only, through the
	// received_at index.
	// (SQLite would otherwise walk messages_device for the GROUP BY.)
	from := "messages"
	if !s.pg {
		from = "messages INDEXED BY messages_received"
	}
	sevQ, sevArgs := `SELECT device_id, MAX(severity) FROM `+from+` WHERE received_at >= ? GROUP BY device_id`, []any{s.opts.Now().Add(-time.Hour).UnixMilli()}
	if id != 0 {
		sevQ, sevArgs = `SELECT device_id, MAX(severity) FROM `+from+` WHERE received_at >= ? AND device_id = ? GROUP BY device_id`, append(sevArgs, id)
	}
	srows, err := db.QueryContext(ctx, s.q(sevQ), sevArgs...)
	if err != nil {
		return nil, s.fail(ctx, db, "devices", err)
	}
	for srows.Next() {
		var dev int64
		var sev int
		if err := srows.Scan(&dev, &sev); err != nil {
			srows.Close()
			return nil, s.fail(ctx, db, "devices", err)
		}
		if i, ok := byID[dev]; ok {
			out[i].LastSeverity = sev
		}
	}
	srows.Close()
	st, err := s.dsStatus(ctx, db, "", id)
	if err != nil {
		return nil, err
	}
	for _, x := range st {
		if i, ok := byID[x.DeviceID]; ok {
			out[i].DS = append(out[i].DS, x)
		}
	}
	return out, nil
}

func (s *SQL) dsStatus(ctx context.Context, db *sql.DB, dsID string, devID int64) ([]DeviceDS, error) {
	var conds []string
	var args []any
	if dsID != "" {
		conds, args = append(conds, "x.ds_id = ?"), append(args, dsID)
	}
	if devID != 0 {
		conds, args = append(conds, "x.device_id = ?"), append(args, devID)
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := db.QueryContext(ctx, s.q(`SELECT x.device_id, d.hostname, x.ds_id, x.revision, x.status, x.updated_at, x.last_fired, x.fired
		FROM device_ds_status x JOIN devices d ON d.id = x.device_id `+where+` ORDER BY x.ds_id, d.hostname`), args...)
	if err != nil {
		return nil, s.fail(ctx, db, "DS statuses", err)
	}
	defer rows.Close()
	var out []DeviceDS
	for rows.Next() {
		var x DeviceDS
		var up, fired int64
		if err := rows.Scan(&x.DeviceID, &x.Hostname, &x.DSID, &x.Revision, &x.Status, &up, &fired, &x.Fired); err != nil {
			return nil, s.fail(ctx, db, "DS statuses", err)
		}
		x.UpdatedAt, x.LastFired = ms(up), ms(fired)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, db, "DS statuses", err)
	}
	return out, nil
}

// DSDevices implements Store.
func (s *SQL) DSDevices(ctx context.Context, id string) ([]DeviceDS, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	return s.dsStatus(ctx, db, id, 0)
}

// likeEscape makes a user's text a LIKE pattern that matches it as a
// substring.
func likeEscape(t string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(t)) + "%"
}

// Messages implements Store: newest first.
func (s *SQL) Messages(ctx context.Context, f Filter) ([]Message, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var conds []string
	var args []any
	if f.DeviceID != 0 {
		conds, args = append(conds, "m.device_id = ?"), append(args, f.DeviceID)
	}
	if f.DSID != "" {
		conds, args = append(conds, "m.ds_id = ?"), append(args, f.DSID)
	}
	if f.Type != "" {
		conds, args = append(conds, "m.type = ?"), append(args, f.Type)
	}
	if f.Hostname != "" {
		conds, args = append(conds, `LOWER(d.hostname) LIKE ? ESCAPE '\'`), append(args, likeEscape(f.Hostname))
	}
	if f.Text != "" {
		conds = append(conds, `EXISTS (SELECT 1 FROM message_attachments ma JOIN attachment_data ad ON ad.sha256 = ma.sha256
			WHERE ma.message_id = m.id AND ad.text LIKE ? ESCAPE '\')`)
		args = append(args, likeEscape(f.Text))
	}
	if f.BeforeID != 0 {
		conds, args = append(conds, "m.id < ?"), append(args, f.BeforeID)
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	args = append(args, f.Limit)
	rows, err := db.QueryContext(ctx, s.q(`SELECT m.id, m.device_id, d.hostname, d.serial, m.received_at, m.format, m.type, m.subtype, m.ds_id, m.severity, m.event_time, COALESCE(m.msg_key, ''), m.description
		FROM messages m JOIN devices d ON d.id = m.device_id `+where+` ORDER BY m.id DESC LIMIT ?`), args...)
	if err != nil {
		return nil, s.fail(ctx, db, "messages", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var at int64
		if err := rows.Scan(&m.ID, &m.DeviceID, &m.Hostname, &m.Serial, &at, &m.Format, &m.Type, &m.SubType, &m.DSID, &m.Severity, &m.EventTime, &m.MessageID, &m.Description); err != nil {
			return nil, s.fail(ctx, db, "messages", err)
		}
		m.ReceivedAt = ms(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, db, "messages", err)
	}
	return out, nil
}

// Message implements Store.
func (s *SQL) Message(ctx context.Context, id int64) (*Message, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var m Message
	var at int64
	var fields string
	err = db.QueryRowContext(ctx, s.q(`SELECT m.id, m.device_id, d.hostname, d.serial, m.received_at, m.format, m.type, m.subtype, m.ds_id, m.severity, m.event_time, COALESCE(m.msg_key, ''), m.description, m.fields, m.raw
		FROM messages m JOIN devices d ON d.id = m.device_id WHERE m.id = ?`), id).Scan(
		&m.ID, &m.DeviceID, &m.Hostname, &m.Serial, &at, &m.Format, &m.Type, &m.SubType, &m.DSID, &m.Severity, &m.EventTime, &m.MessageID, &m.Description, &fields, &m.Raw)
	if err != nil {
		return nil, s.fail(ctx, db, "message", err)
	}
	m.ReceivedAt = ms(at)
	_ = json.Unmarshal([]byte(fields), &m.Fields)
	rows, err := db.QueryContext(ctx, s.q(`SELECT ma.seq, ma.name, ma.sha256, ad.size, ad.truncated FROM message_attachments ma
		JOIN attachment_data ad ON ad.sha256 = ma.sha256 WHERE ma.message_id = ? ORDER BY ma.seq`), id)
	if err != nil {
		return nil, s.fail(ctx, db, "message", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Attachment
		var cut int
		if err := rows.Scan(&a.Seq, &a.Name, &a.SHA256, &a.Size, &cut); err != nil {
			return nil, s.fail(ctx, db, "message", err)
		}
		a.Truncated = cut != 0
		m.Attachments = append(m.Attachments, a)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, db, "message", err)
	}
	return &m, nil
}

// Attachment implements Store.
func (s *SQL) Attachment(ctx context.Context, msgID int64, seq int) (*Attachment, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	a := Attachment{Seq: seq}
	var cut int
	err = db.QueryRowContext(ctx, s.q(`SELECT ma.name, ma.sha256, ad.size, ad.truncated, ad.data FROM message_attachments ma
		JOIN attachment_data ad ON ad.sha256 = ma.sha256 WHERE ma.message_id = ? AND ma.seq = ?`), msgID, seq).Scan(&a.Name, &a.SHA256, &a.Size, &cut, &a.Data)
	if err != nil {
		return nil, s.fail(ctx, db, "attachment", err)
	}
	a.Truncated = cut != 0
	return &a, nil
}

// CountMessages implements Store.
func (s *SQL) CountMessages(ctx context.Context) (int64, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(SUM(messages), 0) FROM devices`).Scan(&n); err != nil {
		return 0, s.fail(ctx, db, "count", err)
	}
	return n, nil
}

// Hourly implements Store.
func (s *SQL) Hourly(ctx context.Context, from, to time.Time, deviceID int64) ([]HourCount, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	// Whole hours from message_hourly, the counts kept as messages arrive.
	fromH, toH := from.UnixMilli()/3600000, (to.UnixMilli()+3600000-1)/3600000
	dev, args := "", []any{fromH, toH}
	if deviceID != 0 {
		dev, args = " AND device_id = ?", append(args, deviceID)
	}
	rows, err := db.QueryContext(ctx, s.q(`SELECT hour, type, SUM(count) FROM message_hourly
		WHERE hour >= ? AND hour < ?`+dev+` GROUP BY hour, type ORDER BY 1, 2`), args...)
	if err != nil {
		return nil, s.fail(ctx, db, "hourly", err)
	}
	defer rows.Close()
	var out []HourCount
	for rows.Next() {
		var h HourCount
		var hour int64
		if err := rows.Scan(&hour, &h.Type, &h.Count); err != nil {
			return nil, s.fail(ctx, db, "hourly", err)
		}
		h.Hour = time.Unix(hour*3600, 0).UTC()
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, db, "hourly", err)
	}
	return out, nil
}

// Assignments implements Store.
func (s *SQL) Assignments(ctx context.Context) ([]Assignment, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT profile, ds_id FROM ds_assignments ORDER BY profile, ds_id`)
	if err != nil {
		return nil, s.fail(ctx, db, "assignments", err)
	}
	defer rows.Close()
	var out []Assignment
	for rows.Next() {
		var a Assignment
		if err := rows.Scan(&a.Profile, &a.DSID); err != nil {
			return nil, s.fail(ctx, db, "assignments", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetAssignment implements Store.
func (s *SQL) SetAssignment(ctx context.Context, a Assignment, on bool) error {
	db, err := s.conn(ctx)
	if err != nil {
		return err
	}
	q := `INSERT INTO ds_assignments (profile, ds_id) VALUES (?, ?) ON CONFLICT (profile, ds_id) DO NOTHING`
	if !on {
		q = `DELETE FROM ds_assignments WHERE profile = ? AND ds_id = ?`
	}
	if _, err := db.ExecContext(ctx, s.q(q), a.Profile, a.DSID); err != nil {
		return s.fail(ctx, db, "assignment", err)
	}
	return nil
}

// PutUser implements Store: creates or replaces a user.
func (s *SQL) PutUser(ctx context.Context, u User) error {
	db, err := s.conn(ctx)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, s.q(`INSERT INTO users (name, hash, role) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, role = excluded.role`), u.Name, u.Hash, u.Role); err != nil {
		return s.fail(ctx, db, "user", err)
	}
	return nil
}

// User implements Store.
func (s *SQL) User(ctx context.Context, name string) (*User, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var u User
	if err := db.QueryRowContext(ctx, s.q(`SELECT name, hash, role FROM users WHERE name = ?`), name).Scan(&u.Name, &u.Hash, &u.Role); err != nil {
		return nil, s.fail(ctx, db, "user", err)
	}
	return &u, nil
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// PutToken implements Store.
func (s *SQL) PutToken(ctx context.Context, profile, token string) error {
	db, err := s.conn(ctx)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, s.q(`INSERT INTO tokens (sha256, profile) VALUES (?, ?)
		ON CONFLICT (sha256) DO UPDATE SET profile = excluded.profile`), tokenHash(token), profile); err != nil {
		return s.fail(ctx, db, "token", err)
	}
	return nil
}

// TokenProfile implements Store; ErrNotFound for an unknown token.
func (s *SQL) TokenProfile(ctx context.Context, token string) (string, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return "", err
	}
	var p string
	if err := db.QueryRowContext(ctx, s.q(`SELECT profile FROM tokens WHERE sha256 = ?`), tokenHash(token)).Scan(&p); err != nil {
		return "", s.fail(ctx, db, "token", err)
	}
	return p, nil
}

var _ Store = (*SQL)(nil)
