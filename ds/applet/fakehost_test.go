package applet

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

// fakeHost records what the actions asked of it, one line a call.
type fakeHost struct {
	MemoryState
	mu     sync.Mutex
	calls  []string
	output map[string]string // CLI output by command
	fail   map[string]error  // CLI errors by command
	mails  []Mail
	files  *DirFiles // nil: file actions fail
	reload error     // what Reload returns
}

func (h *fakeHost) Reload(context.Context) error {
	h.record("reload")
	return h.reload
}

func (h *fakeHost) OpenFile(ctx context.Context, name, mode string) (File, error) {
	h.record("open %s %s", name, mode)
	if h.files == nil {
		return nil, fmt.Errorf("no files")
	}
	return h.files.Open(ctx, name, mode)
}

func (h *fakeHost) DeleteFile(ctx context.Context, name string) error {
	h.record("delete %s", name)
	if h.files == nil {
		return fmt.Errorf("no files")
	}
	return h.files.Delete(ctx, name)
}

func newHost() *fakeHost {
	return &fakeHost{output: map[string]string{}, fail: map[string]error{}}
}

func (h *fakeHost) record(format string, args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, fmt.Sprintf(format, args...))
}

func (h *fakeHost) CLI(ctx context.Context, cmd string) (string, error) {
	h.record("cli %s", cmd)
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return h.output[cmd], h.fail[cmd]
}

func (h *fakeHost) Syslog(_ context.Context, sev int, msg string) error {
	h.record("syslog %d %s", sev, msg)
	return nil
}

func (h *fakeHost) Mail(_ context.Context, m Mail) error {
	h.record("mail %s", m.To)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.mails = append(h.mails, m)
	return nil
}

func (h *fakeHost) Calls() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.calls...)
}

// parseApplet parses one applet: "event none" and the lines given, each
// "action LABEL ..." when it starts with a label, else labelled 0001, 0002...
// in order.
func parseApplet(t testing.TB, lines ...string) *config.Applet {
	t.Helper()
	var b strings.Builder
	b.WriteString("event manager applet T\n event none\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "action ") {
			fmt.Fprintf(&b, " %s\n", l)
		} else {
			fmt.Fprintf(&b, " action %04d %s\n", i+1, l)
		}
	}
	cfg, err := iosconfig.Parse("t.conf", []byte(b.String()))
	if err != nil {
		t.Fatalf("parse:\n%s\n%v", b.String(), err)
	}
	a := cfg.Applet("T")
	if a == nil {
		t.Fatal("no applet T")
	}
	return a
}

// hand builds an applet without the parser, for what it would refuse.
func hand(actions ...config.AppletAction) *config.Applet {
	for i := range actions {
		if actions[i].Label == "" {
			actions[i].Label = fmt.Sprintf("%04d", i+1)
		}
		actions[i].Line = i + 3
	}
	return &config.Applet{Name: "H", Actions: actions, MaxRun: config.DefaultMaxRun}
}

func act(verb string, args ...string) config.AppletAction {
	return config.AppletAction{Verb: verb, Args: args}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
