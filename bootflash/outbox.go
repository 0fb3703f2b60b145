package bootflash

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// OutboxPut stores a call-home message not yet delivered, atomically,
// replacing one of the same name. Its modification time is set from the
// store's clock, which orders OutboxList.
func (s *Store) OutboxPut(name string, data []byte) error {
	if err := validOutboxName(name); err != nil {
		return fmt.Errorf("bootflash: %w", err)
	}
	if len(data) > MaxOutboxMessageSize {
		return fmt.Errorf("bootflash: outbox %s: %w (over %d bytes)", name, errTooLarge, MaxOutboxMessageSize)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("bootflash: %w", ErrClosed)
	}
	if s.opts.ReadOnly {
		return fmt.Errorf("bootflash: %w", ErrReadOnly)
	}
	if err := writeFileAtomic(s.outbox, name, data, s.opts.Now()); err != nil {
		return fmt.Errorf("bootflash: outbox %s: %w", name, err)
	}
	return nil
}

// OutboxList returns the names of the stored messages, oldest first (by
// the time OutboxPut stored them, then by name).
func (s *Store) OutboxList() ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("bootflash: %w", ErrClosed)
	}
	ents, err := os.ReadDir(s.outbox)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bootflash: outbox: %w", err)
	}
	type msg struct {
		name string
		at   time.Time
	}
	msgs := make([]msg, 0, len(ents))
	for _, e := range ents {
		if !e.Type().IsRegular() || validOutboxName(e.Name()) != nil {
			continue
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("bootflash: outbox: %w", err)
		}
		msgs = append(msgs, msg{e.Name(), info.ModTime()})
	}
	sort.Slice(msgs, func(i, j int) bool {
		if !msgs[i].at.Equal(msgs[j].at) {
			return msgs[i].at.Before(msgs[j].at)
		}
		return msgs[i].name < msgs[j].name
	})
	names := make([]string, len(msgs))
	for i, m := range msgs {
		names[i] = m.name
	}
	return names, nil
}

// OutboxGet returns a stored message.
func (s *Store) OutboxGet(name string) ([]byte, error) {
	if err := validOutboxName(name); err != nil {
		return nil, fmt.Errorf("bootflash: %w", err)
	}
	return s.readSmall(filepath.Join(s.outbox, name), MaxOutboxMessageSize, "outbox "+name)
}

// OutboxRemove deletes a delivered message.
func (s *Store) OutboxRemove(name string) error {
	if err := validOutboxName(name); err != nil {
		return fmt.Errorf("bootflash: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("bootflash: %w", ErrClosed)
	}
	if s.opts.ReadOnly {
		return fmt.Errorf("bootflash: %w", ErrReadOnly)
	}
	err := os.Remove(filepath.Join(s.outbox, name))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("bootflash: outbox %s: %w", name, ErrNotFound)
	}
	if err == nil {
		err = syncDir(s.outbox)
	}
	if err != nil {
		return fmt.Errorf("bootflash: outbox %s: %w", name, err)
	}
	return nil
}

// readSmall reads a file of the store of at most limit bytes; what names
// it in errors, and a missing file is ErrNotFound.
func (s *Store) readSmall(path string, limit int64, what string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("bootflash: %w", ErrClosed)
	}
	data, err := readCapped(path, limit)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("bootflash: %s: %w", what, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("bootflash: %s: %w", what, err)
	}
	return data, nil
}
