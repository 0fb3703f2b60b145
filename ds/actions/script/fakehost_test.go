package script

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// fakeHost records what a script asked of it; CLI commands answer from
// outputs ("" for unknown commands) or fail with the error in fail.
type fakeHost struct {
	mu       sync.Mutex
	outputs  map[string]string
	fail     map[string]error // by method ("CLIOpen", "Syslog", ...) or by command
	syslogs  []SyslogMessage
	mails    []Mail
	homes    []CallHomeMessage
	appl     map[string]string
	contexts map[string]map[string]string
	cmds     []string
	opened   int
	closed   int
}

func newFakeHost() *fakeHost {
	return &fakeHost{outputs: map[string]string{}, fail: map[string]error{}, appl: map[string]string{}, contexts: map[string]map[string]string{}}
}

func (h *fakeHost) err(what string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fail[what]
}

func (h *fakeHost) CLIOpen(ctx context.Context) (CLISession, error) {
	if err := h.err("CLIOpen"); err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.opened++
	h.mu.Unlock()
	return &fakeSession{h: h}, nil
}

func (h *fakeHost) Syslog(ctx context.Context, m SyslogMessage) error {
	if err := h.err("Syslog"); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.syslogs = append(h.syslogs, m)
	return nil
}

func (h *fakeHost) SendMail(ctx context.Context, m Mail) error {
	if err := h.err("SendMail"); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.mails = append(h.mails, m)
	return nil
}

func (h *fakeHost) CallHome(ctx context.Context, m CallHomeMessage) error {
	if err := h.err("CallHome"); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.homes = append(h.homes, m)
	return nil
}

func (h *fakeHost) ApplGet(ctx context.Context, key string) (string, bool, error) {
	if err := h.err("ApplGet"); err != nil {
		return "", false, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.appl[key]
	return v, ok, nil
}

func (h *fakeHost) ApplSet(ctx context.Context, key, data string) error {
	if err := h.err("ApplSet"); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.appl[key] = data
	return nil
}

func (h *fakeHost) ContextSave(ctx context.Context, name string, vars map[string]string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.contexts[name] = vars
	return nil
}

func (h *fakeHost) ContextRetrieve(ctx context.Context, name string) (map[string]string, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.contexts[name]
	delete(h.contexts, name)
	return v, ok, nil
}

type fakeSession struct {
	h      *fakeHost
	closed bool
}

func (s *fakeSession) Exec(ctx context.Context, cmd string) (string, error) {
	if s.closed {
		return "", errors.New("session closed")
	}
	if err := s.h.err(cmd); err != nil {
		return "", err
	}
	if cmd == "block" { // waits for the run's deadline, as a hung device would
		<-ctx.Done()
		return "", ctx.Err()
	}
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.h.cmds = append(s.h.cmds, cmd)
	if out, ok := s.h.outputs[cmd]; ok {
		return out, nil
	}
	if n, ok := strings.CutPrefix(cmd, "big "); ok {
		var size int
		fmt.Sscan(n, &size)
		return strings.Repeat("x", size), nil
	}
	return "", nil
}

func (s *fakeSession) Close() error {
	s.closed = true
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.h.closed++
	return nil
}
