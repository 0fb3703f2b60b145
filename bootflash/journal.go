package bootflash

import (
	"encoding/json"
	"fmt"
)

// The journal operations.
const (
	opPut    = "put"
	opRemove = "remove"
)

// journal is the redo record of one Put or Remove, stored as <id>.journal
// while the operation is in progress. A put record carries everything the
// operation writes, so replaying it needs nothing else and can be repeated.
type journal struct {
	Op    string `json:"op"`
	ID    string `json:"id"`
	XML   []byte `json:"xml,omitempty"`
	ASC   []byte `json:"asc,omitempty"`
	Entry *Entry `json:"entry,omitempty"`
}

// decodeJournal parses and validates the journal found as <id>.journal.
func decodeJournal(id string, data []byte) (*journal, error) {
	var j journal
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, err
	}
	if j.ID != id {
		return nil, fmt.Errorf("journal is for DS %q", j.ID)
	}
	switch j.Op {
	case opRemove:
	case opPut:
		switch {
		case j.XML == nil || j.ASC == nil || j.Entry == nil:
			return nil, fmt.Errorf("put journal without files or entry")
		case len(j.XML) > MaxDSFileSize || len(j.ASC) > MaxDSFileSize:
			return nil, fmt.Errorf("put journal with a file over %d bytes", MaxDSFileSize)
		case j.Entry.ID != id:
			return nil, fmt.Errorf("put journal with an entry for DS %q", j.Entry.ID)
		}
	default:
		return nil, fmt.Errorf("unknown journal operation %q", j.Op)
	}
	return &j, nil
}
