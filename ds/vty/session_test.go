package vty

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

// fakeHost applies lines with modes to a configuration it keeps, and
// records the commands it runs.
type fakeHost struct {
	modes Modes
	cfg   *config.Config
	ran   []string
	saved int
}

func (h *fakeHost) Hostname() string { return h.cfg.Hostname }
func (h *fakeHost) Configure(_ context.Context, path Path, line string) (Path, error) {
	next, p, err := h.modes.Apply(h.cfg, path, line)
	if err != nil {
		return nil, err
	}
	h.cfg = next
	return p, nil
}
func (h *fakeHost) RunningConfig() []byte      { return h.modes.Format(h.cfg) }
func (h *fakeHost) Save(context.Context) error { h.saved++; return nil }
func (h *fakeHost) Commands() []Command {
	return []Command{{Words: []string{"show", "call-home"}, Args: "[detail]", Summary: "the Call Home configuration"},
		{Words: []string{"event", "manager", "run"}, Args: "NAME [ARGS]", Summary: "run an applet"}}
}
func (h *fakeHost) Exec(_ context.Context, args []string) (string, int) {
	h.ran = append(h.ran, strings.Join(args, " "))
	return "ran " + strings.Join(args, " ") + "\n", 0
}

func newHost(t *testing.T) *fakeHost {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dsengine.conf")
	if err := os.WriteFile(path, []byte("hostname edge-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := iosconfig.Parse(path, []byte("hostname edge-1\n"))
	if err != nil {
		t.Fatal(err)
	}
	return &fakeHost{modes: IOS(), cfg: cfg}
}

func newSession(h *fakeHost, user bool) *Session {
	return New(h, Options{Help: h.modes.Help, Prompt: h.modes.Prompt, User: user})
}

func TestModesAndPrompts(t *testing.T) {
	h := newHost(t)
	s := newSession(h, false)
	ctx := context.Background()
	steps := []struct{ line, prompt, out string }{
		{"", "edge-1#", ""},
		{"conf t", "edge-1(config)#", "Enter configuration commands, one per line.  End with CNTL/Z.\n"},
		{"call-home", "edge-1(config-call-home)#", ""},
		{" rate-limit 30", "edge-1(config-call-home)#", ""},
		{"exit", "edge-1(config)#", ""},
		{"event manager applet HELLO", "edge-1(config-applet)#", ""},
		{"event none", "edge-1(config-applet)#", ""},
		{"action 1.0 puts hello", "edge-1(config-applet)#", ""},
		{"end", "edge-1#", ""},
		{"disable", "edge-1>", ""},
		{"enable", "edge-1#", ""},
	}
	for _, st := range steps {
		res := s.Line(ctx, st.line)
		if res.Output != st.out || res.Code != 0 {
			t.Fatalf("%q: output %q code %d, want %q", st.line, res.Output, res.Code, st.out)
		}
		if got := s.Prompt(); got != st.prompt {
			t.Fatalf("after %q the prompt is %q, want %q", st.line, got, st.prompt)
		}
	}
	if h.cfg.CallHome.RateLimit != 30 || len(h.cfg.EventManager.Applets) != 1 || h.cfg.EventManager.Applets[0].Name != "HELLO" {
		t.Errorf("running configuration: rate-limit %d, applets %v", h.cfg.CallHome.RateLimit, h.cfg.EventManager.Applets)
	}
	if f := string(h.modes.Format(h.cfg)); !strings.Contains(f, "event manager applet HELLO\n event none\n action 1.0 puts hello\n") {
		t.Errorf("the running configuration:\n%s", f)
	}
	if res := s.Line(ctx, "wr mem"); res.Output != "Building configuration...\n[OK]\n" || h.saved != 1 {
		t.Errorf("write memory: %q, saved %d", res.Output, h.saved)
	}
	if res := s.Line(ctx, "logout"); !res.Exit {
		t.Errorf("logout did not end the session")
	}
}

func TestMarkerUnderTheRefusedWord(t *testing.T) {
	h := newHost(t)
	s := newSession(h, false)
	ctx := context.Background()
	cases := []struct{ line, word string }{
		// exec mode: the word no command takes
		{"show calls-home", "calls-home"},
		{"shw call-home", "shw"},
		// config modes: the word the parser names
		{"conf t", ""},
		{"hostnme edge-2", "hostnme"},
		{"call-home", ""},
		{"  rate-limit 99", "99"},
	}
	for _, c := range cases {
		prompt := s.Prompt()
		res := s.Line(ctx, c.line)
		if c.word == "" {
			if res.Code != 0 {
				t.Fatalf("%q refused: %s", c.line, res.Output)
			}
			continue
		}
		// The marker stands under the word, counted from the prompt's start.
		want := strings.Repeat(" ", len(prompt)+strings.Index(c.line, c.word)) + "^\n% Invalid input detected at '^' marker.\n"
		if res.Code != 1 || !strings.HasPrefix(res.Output, want) {
			t.Errorf("%s%s:\n%s\nwant the marker under %q:\n%s", prompt, c.line, res.Output, c.word, want)
		}
	}
	if h.cfg.CallHome.RateLimit == 99 {
		t.Error("a refused line changed the running configuration")
	}
}

func TestHelpAndCompletion(t *testing.T) {
	h := newHost(t)
	s := newSession(h, false)
	words := func(cs []Candidate) string {
		var w []string
		for _, c := range cs {
			w = append(w, c.Word)
		}
		return strings.Join(w, " ")
	}
	if got := words(s.Help("show ")); got != "call-home" {
		t.Errorf("show ?: %q", got)
	}
	if got := words(s.Help("show call-home ")); got != "[detail] <cr>" {
		t.Errorf("show call-home ?: %q", got)
	}
	if got := words(s.Help("e")); got != "enable event exit" {
		t.Errorf("e?: %q", got)
	}
	if got := s.Complete("conf"); got != "configure " {
		t.Errorf("Tab after conf: %q", got)
	}
	if got := s.Complete("e"); got != "e" {
		t.Errorf("Tab after an ambiguous e: %q", got)
	}
	if got := FormatHelp(s.Help("e")); got != "  enable  Turn on privileged commands\n  event\n  exit    Exit from the EXEC\n" {
		t.Errorf("e? printed:\n%s", got)
	}
	s.Line(context.Background(), "configure terminal")
	if got := words(s.Help("ho")); got != "hostname" {
		t.Errorf("config ho?: %q", got)
	}
}

func TestLongLineAndUserMode(t *testing.T) {
	h := newHost(t)
	s := newSession(h, true)
	ctx := context.Background()
	if res := s.Line(ctx, strings.Repeat("x", MaxLine+1)); res.Code != 1 || !strings.Contains(res.Output, "4096") {
		t.Errorf("a long line: %+v", res)
	}
	if s.Prompt() != "edge-1>" {
		t.Fatalf("user mode prompt %q", s.Prompt())
	}
	if res := s.Line(ctx, "configure terminal"); res.Code != 1 || s.InConfig() {
		t.Errorf("configure terminal in user mode: %+v", res)
	}
	s.Line(ctx, "enable")
	if res := s.Line(ctx, "configure terminal"); res.Code != 0 || !s.InConfig() {
		t.Errorf("configure terminal after enable: %+v", res)
	}
	if res := s.Line(ctx, "do show call-home"); res.Output != "ran show call-home\n" {
		t.Errorf("do show call-home: %+v", res)
	}
}

func TestOtherAndGate(t *testing.T) {
	h := newHost(t)
	var others []string
	s := New(h, Options{User: true,
		Other: func(_ context.Context, c string) (string, error) {
			others = append(others, c)
			return "out of " + c, nil
		},
		Gate: func(_ context.Context, c string) (string, bool) { return "", c != "event manager run X" }})
	ctx := context.Background()
	if res := s.Line(ctx, "show interfaces Gi1"); res.Output != "out of show interfaces Gi1" || len(others) != 1 {
		t.Errorf("an unknown command: %+v %v", res, others)
	}
	if res := s.Line(ctx, "ev man run X"); res.Code != 1 || !strings.Contains(res.Output, "skipped") || len(h.ran) != 0 {
		t.Errorf("a gated command: %+v ran %v", res, h.ran)
	}
	if res := s.Line(ctx, "event manager run Y"); res.Code != 0 || len(h.ran) != 1 {
		t.Errorf("an ungated command: %+v ran %v", res, h.ran)
	}
}
