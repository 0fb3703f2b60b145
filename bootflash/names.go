package bootflash

import (
	"fmt"
	"strings"
)

// Names of the files and directories of the store (SPEC §7).
const (
	// Dir is the store's directory under the bootflash root.
	Dir = "call_home"
	// StateFile holds statuses, prompt answers, statistics and the
	// store-wide values (repository index versions).
	StateFile = "state.json"
	// ValuesFile holds the values DS scripts store (keys under
	// ApplPrefix), apart from StateFile so that it cannot take the
	// statuses down with it.
	ValuesFile = "values.json"
	// OutboxDir holds call-home messages not yet delivered.
	OutboxDir = "outbox"
	// LockFile is the advisory lock; it holds the owner's pid.
	LockFile = ".lock"
	// RateLimitFile holds the call-home rate limiter's admissions of the
	// last minute.
	RateLimitFile = "ratelimit.json"

	xmlSuffix     = ".xml"
	ascSuffix     = ".xml.asc"
	journalSuffix = ".journal"
	// batchJournalFile is the journal of a batch in progress; "batch" is
	// not a DS id, so it cannot clash with <id>.journal.
	batchJournalFile = "batch" + journalSuffix
	tmpMarker        = ".tmp-"
	corruptSuffix    = ".corrupt-"
	corruptPrefix    = StateFile + corruptSuffix
)

// Size limits: anything larger is refused on write and on read.
const (
	// MaxDSFileSize caps each of <id>.xml and <id>.xml.asc.
	MaxDSFileSize = 2 << 20
	// MaxStateSize caps state.json on write: a write that would make it
	// larger is refused. Open reads up to maxStateReadSize, so that a
	// file an older dsengine let grow still opens.
	MaxStateSize = 64 << 20
	// maxStateReadSize caps state.json on read.
	maxStateReadSize = 1 << 30
	// MaxValuesSize caps values.json, on write and on read.
	MaxValuesSize = 32 << 20
	// MaxEntryText caps each free text of an entry (FailureReason,
	// Stats.LastActionResult, Download.Result): a longer one is cut when
	// stored, so that a script's huge error cannot swell state.json.
	MaxEntryText = 4 << 10
	// MaxOutboxMessageSize caps one outbox message.
	MaxOutboxMessageSize = 16 << 20
	// MaxRateLimitSize caps ratelimit.json: at most 60 admission times.
	MaxRateLimitSize = 64 << 10
	// maxJournalSize caps a journal: two DS files in base64 plus an entry.
	maxJournalSize = 4*MaxDSFileSize + (1 << 20)
	// maxBatchJournalSize caps batch.journal: MaxBatchBytes in base64 plus
	// the entries.
	maxBatchJournalSize = 2 * MaxBatchBytes
	// maxIDLen keeps ids within int64 so they sort numerically.
	maxIDLen = 18
	// maxOutboxNameLen keeps names well under NAME_MAX with a temp suffix.
	maxOutboxNameLen = 200
)

// ValidID reports whether id can name a stored DS: decimal digits only, no
// leading zero, at most 18 digits. Anything else could be a path trick or
// alias another DS ("007" and "7").
func ValidID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("empty DS id")
	case len(id) > maxIDLen:
		return fmt.Errorf("DS id %.20q…: longer than %d digits", id, maxIDLen)
	case len(id) > 1 && id[0] == '0':
		return fmt.Errorf("DS id %q: leading zero", id)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return fmt.Errorf("DS id %q: not a number", id)
		}
	}
	return nil
}

// validOutboxName checks an outbox message name: a plain file name that
// cannot leave the outbox or be mistaken for a temporary file.
func validOutboxName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty outbox name")
	case len(name) > maxOutboxNameLen:
		return fmt.Errorf("outbox name %.20q…: longer than %d bytes", name, maxOutboxNameLen)
	case name[0] == '.':
		return fmt.Errorf("outbox name %q: must not start with a dot", name)
	case strings.ContainsAny(name, "/\\\x00"):
		return fmt.Errorf("outbox name %q: must not contain a path separator or NUL", name)
	}
	return nil
}

// lessID orders valid ids numerically: shorter is smaller, then by digits.
func lessID(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// isTemp reports whether a directory entry is a temporary file of ours.
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tmpMarker)
}

// idOf returns the DS id a file name belongs to and which kind it is:
// ".xml", ".xml.asc" or ".journal". ok is false for other names.
func idOf(name string) (id, kind string, ok bool) {
	for _, suffix := range []string{ascSuffix, xmlSuffix, journalSuffix} {
		if base, found := strings.CutSuffix(name, suffix); found && ValidID(base) == nil {
			return base, suffix, true
		}
	}
	return "", "", false
}
