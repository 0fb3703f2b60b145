package store

import "strings"

// migrations are the schema versions, applied in order and recorded in
// schema_migrations; never edit one that shipped, add the next. {{id}} and
// {{blob}} are the dialect's auto-increment key and byte string types.
// Times are Unix milliseconds (UTC) in BIGINT, the same in both databases.
var migrations = []string{
	1: `
CREATE TABLE devices (
	id {{id}},
	hostname TEXT NOT NULL,
	serial TEXT NOT NULL,
	device_id TEXT NOT NULL DEFAULT '',
	model TEXT NOT NULL DEFAULT '',
	profile TEXT NOT NULL DEFAULT '',
	software TEXT NOT NULL DEFAULT '',
	first_seen BIGINT NOT NULL,
	last_seen BIGINT NOT NULL,
	messages BIGINT NOT NULL DEFAULT 0,
	UNIQUE (hostname, serial)
);
CREATE TABLE attachment_data (
	sha256 TEXT PRIMARY KEY,
	size BIGINT NOT NULL,
	truncated INTEGER NOT NULL,
	data {{blob}} NOT NULL,
	text TEXT NOT NULL
);
CREATE TABLE messages (
	id {{id}},
	device_id BIGINT NOT NULL REFERENCES devices(id),
	received_at BIGINT NOT NULL,
	format TEXT NOT NULL,
	type TEXT NOT NULL,
	subtype TEXT NOT NULL,
	ds_id TEXT NOT NULL,
	severity INTEGER NOT NULL,
	event_time TEXT NOT NULL,
	msg_key TEXT,
	description TEXT NOT NULL,
	fields TEXT NOT NULL,
	raw {{blob}} NOT NULL,
	UNIQUE (device_id, msg_key)
);
CREATE INDEX messages_received ON messages (received_at);
CREATE INDEX messages_device ON messages (device_id, id);
CREATE INDEX messages_ds ON messages (ds_id, id);
CREATE INDEX messages_type ON messages (type, id);
CREATE TABLE message_hourly (
	hour BIGINT NOT NULL,
	device_id BIGINT NOT NULL REFERENCES devices(id),
	type TEXT NOT NULL,
	count BIGINT NOT NULL,
	PRIMARY KEY (hour, device_id, type)
);
CREATE TABLE message_attachments (
	message_id BIGINT NOT NULL REFERENCES messages(id),
	seq INTEGER NOT NULL,
	name TEXT NOT NULL,
	sha256 TEXT NOT NULL REFERENCES attachment_data(sha256),
	PRIMARY KEY (message_id, seq)
);
CREATE INDEX message_attachments_sha ON message_attachments (sha256);
CREATE TABLE ds_assignments (
	profile TEXT NOT NULL,
	ds_id TEXT NOT NULL,
	PRIMARY KEY (profile, ds_id)
);
CREATE TABLE device_ds_status (
	device_id BIGINT NOT NULL REFERENCES devices(id),
	ds_id TEXT NOT NULL,
	revision TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT '',
	updated_at BIGINT NOT NULL DEFAULT 0,
	last_fired BIGINT NOT NULL DEFAULT 0,
	fired BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (device_id, ds_id)
);
CREATE TABLE tokens (
	sha256 TEXT PRIMARY KEY,
	profile TEXT NOT NULL
);
CREATE TABLE users (
	name TEXT PRIMARY KEY,
	hash TEXT NOT NULL,
	role TEXT NOT NULL
);`,
}

// dialectSQL fills in a migration's types.
func dialectSQL(s string, pg bool) string {
	if pg {
		return strings.NewReplacer("{{id}}", "BIGSERIAL PRIMARY KEY", "{{blob}}", "BYTEA").Replace(s)
	}
	return strings.NewReplacer("{{id}}", "INTEGER PRIMARY KEY", "{{blob}}", "BLOB").Replace(s)
}
