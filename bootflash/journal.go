package bootflash

import (
	"encoding/json"
	"fmt"
)

// The journal operations.
const (
	opPut    = "put"
	opRemove = "remove"
	opBatch  = "batch"
)

// journal is the redo record of one Put or Remove, stored as <id>.journal
// while the operation is in progress, and of each item of a batch. A put
// record carries everything the operation writes, so replaying it needs
// nothing else and can be repeated.
type journal struct {
	Op    string `json:"op"`
	ID    string `json:"id"`
	XML   []byte `json:"xml,omitempty"`
	ASC   []byte `json:"asc,omitempty"`
	Entry *Entry `json:"entry,omitempty"`
}

// batchJournal is the redo record of a PutBatch or RemoveBatch (and of a
// Put, which is a batch of one), stored as batch.journal while the
// operation is in progress. Its items are applied in order.
type batchJournal struct {
	Op    string    `json:"op"` // opBatch
	Items []journal `json:"items"`
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
	if err := j.validate(); err != nil {
		return nil, err
	}
	return &j, nil
}

// decodeBatchJournal parses and validates batch.journal.
func decodeBatchJournal(data []byte) (*batchJournal, error) {
	var b batchJournal
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, err
	}
	if b.Op != opBatch {
		return nil, fmt.Errorf("unknown journal operation %q", b.Op)
	}
	for i := range b.Items {
		if err := ValidID(b.Items[i].ID); err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, err)
		}
		if err := b.Items[i].validate(); err != nil {
			return nil, fmt.Errorf("DS %s: %w", b.Items[i].ID, err)
		}
	}
	return &b, nil
}

// validate checks a record's operation and, for a put, its files and entry.
func (j *journal) validate() error {
	switch j.Op {
	case opRemove:
	case opPut:
		switch {
		case j.XML == nil || j.ASC == nil || j.Entry == nil:
			return fmt.Errorf("put journal without files or entry")
		case len(j.XML) > MaxDSFileSize || len(j.ASC) > MaxDSFileSize:
			return fmt.Errorf("put journal with a file over %d bytes", MaxDSFileSize)
		case j.Entry.ID != j.ID:
			return fmt.Errorf("put journal with an entry for DS %q", j.Entry.ID)
		}
	default:
		return fmt.Errorf("unknown journal operation %q", j.Op)
	}
	return nil
}
