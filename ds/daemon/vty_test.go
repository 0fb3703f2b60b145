package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
	"github.com/dsengine/dsengine/ds/vty"
)

// vtyClient is a session as a test types into it.
type vtyClient struct {
	t      *testing.T
	c      *control.Conn
	prompt string
}

func openVTY(t *testing.T, d *Daemon) *vtyClient {
	t.Helper()
	c, err := control.Open(context.Background(), d.socket, control.SessionVTY)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	v := &vtyClient{t: t, c: c}
	v.read()
	return v
}

// read collects output until the next prompt.
func (v *vtyClient) read() (string, int) {
	v.t.Helper()
	var out strings.Builder
	for {
		f, err := v.c.Recv()
		if err != nil {
			v.t.Fatalf("after %q: %v", out.String(), err)
		}
		switch f.Kind {
		case control.FrameOutput:
			out.WriteString(f.Text)
		case control.FramePrompt:
			v.prompt = f.Text
			return out.String(), f.Code
		default:
			v.t.Fatalf("unexpected frame %+v", f)
		}
	}
}

// line types one line and returns what it printed and its code.
func (v *vtyClient) line(text string) (string, int) {
	v.t.Helper()
	if err := v.c.Send(control.Frame{Kind: control.FrameLine, Text: text}); err != nil {
		v.t.Fatal(err)
	}
	return v.read()
}

// help sends `?` after text and returns the words offered, one line
// each with its help, as the client prints them.
func (v *vtyClient) help(text string) string {
	v.t.Helper()
	if err := v.c.Send(control.Frame{Kind: control.FrameHelp, Text: text}); err != nil {
		v.t.Fatal(err)
	}
	f, err := v.c.Recv()
	if err != nil || f.Kind != control.FrameHelp {
		v.t.Fatalf("? after %q: frame %+v, error %v", text, f, err)
	}
	var b strings.Builder
	for _, it := range f.Items {
		fmt.Fprintf(&b, "%s: %s\n", it.Word, it.Help)
	}
	return b.String()
}

// TestVTYHelpSNMPServer: `?` in global configuration mode lists
// snmp-server, and its forms word by word (issue 17: it was missing).
func TestVTYHelpSNMPServer(t *testing.T) {
	d, _ := startVTYDaemon(t, "hostname edge-1\n")
	v := openVTY(t, d)
	v.line("configure terminal")
	if got := v.help("sn"); got != "snmp-server: Modify SNMP engine parameters\n" {
		t.Errorf("sn?:\n%s", got)
	}
	for _, c := range []struct{ typed, want string }{
		{"snmp-server ", "enable: Enable SNMP Traps or Informs\nengineID: Configure a local or remote SNMPv3 engineID\n" +
			"group: Define a User Security Model group\nhost: Specify hosts to receive SNMP notifications\n" +
			"user: Define a user who can access the SNMP engine\n"},
		{"snmp-server enable traps ", "event-manager: Allow SNMP Embedded Event Manager traps\n"},
		{"snmp-server host 192.0.2.1 ", "WORD: SNMPv2c community string\ninforms: Send Inform messages to this host\n" +
			"traps: Send Trap messages to this host\nversion: SNMP version to use for notification messages\n"},
		{"snmp-server host 192.0.2.1 traps version 2c public ", "event-manager: Allow SNMP Embedded Event Manager traps\n" +
			"udp-port: The notification host's UDP port number\n<cr>: \n"},
		{"snmp-server host 192.0.2.1 public udp-port ", "<1-65535>: Port\n"},
	} {
		if got := v.help(c.typed); got != c.want {
			t.Errorf("%s?:\n%s\nwant\n%s", c.typed, got, c.want)
		}
	}
	// What ? offers is what the parser takes.
	if out, code := v.line("snmp-server host 192.0.2.1 traps version 2c public udp-port 1162 event-manager"); code != 0 {
		t.Fatalf("the line ? spelled out: %q", out)
	}
	if h := d.Config().Host.SNMP.TrapHosts; len(h) != 1 || h[0].Address != "192.0.2.1:1162" || h[0].Community != "public" {
		t.Errorf("trap hosts %+v", h)
	}
}

// TestVTYTwoSessionsConfigureAtOnce: two vtys configure the running
// configuration line by line, interleaved, each line applied at once; then
// both write memory at the same time, and the file is whole, with both
// sessions' lines and its comment header.
func TestVTYTwoSessionsConfigureAtOnce(t *testing.T) {
	d, path := startVTYDaemon(t, "! edge-1 startup configuration\n! kept by write memory\nhostname edge-1\n")
	a, b := openVTY(t, d), openVTY(t, d)
	if a.prompt != "edge-1#" {
		t.Fatalf("prompt %q", a.prompt)
	}
	steps := []struct {
		v          *vtyClient
		line, want string
	}{
		{a, "configure terminal", "edge-1(config)#"},
		{b, "conf t", "edge-1(config)#"},
		{a, "call-home", "edge-1(config-call-home)#"},
		{b, "event manager applet HELLO", "edge-1(config-applet)#"},
		{a, "rate-limit 30", "edge-1(config-call-home)#"},
		{b, "event none", "edge-1(config-applet)#"},
		{b, "action 1.0 puts hello", "edge-1(config-applet)#"},
		{a, "rate-limit 40", "edge-1(config-call-home)#"},
		{a, "end", "edge-1#"},
		{b, "end", "edge-1#"},
	}
	for _, s := range steps {
		if out, code := s.v.line(s.line); code != 0 || s.v.prompt != s.want {
			t.Fatalf("%q: %q code %d, prompt %q, want %q", s.line, out, code, s.v.prompt, s.want)
		}
	}
	cfg := d.Config()
	if cfg.CallHome.RateLimit != 40 || len(cfg.EventManager.Applets) != 1 {
		t.Fatalf("running configuration: rate-limit %d (the last line wins: 40), applets %d", cfg.CallHome.RateLimit, len(cfg.EventManager.Applets))
	}
	var wg sync.WaitGroup
	outs := make([]string, 2)
	for i, v := range []*vtyClient{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := v.c.Send(control.Frame{Kind: control.FrameLine, Text: "write memory"}); err != nil {
				return
			}
			f, _ := v.c.Recv()
			outs[i] = f.Text
		}()
	}
	wg.Wait()
	for _, o := range outs {
		if o != "Building configuration...\n[OK]\n" {
			t.Errorf("write memory printed %q", o)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if !strings.HasPrefix(text, "! edge-1 startup configuration\n! kept by write memory\n") || !strings.HasSuffix(text, "end\n") ||
		strings.Count(text, "hostname edge-1") != 1 {
		t.Errorf("saved file:\n%s", text)
	}
	saved, err := iosconfig.Parse(path, data)
	if err != nil {
		t.Fatalf("the saved file does not parse: %v\n%s", err, text)
	}
	if saved.CallHome.RateLimit != 40 || len(saved.EventManager.Applets) != 1 {
		t.Errorf("saved file: rate-limit %d, applets %d\n%s", saved.CallHome.RateLimit, len(saved.EventManager.Applets), text)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("the file's mode changed to %v", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("write memory left %s", e.Name())
		}
	}
}

// TestVTYRefusals: a refused configuration line leaves the running
// configuration as it was and marks the word; a line over 4 KiB is
// refused and the session goes on.
func TestVTYRefusals(t *testing.T) {
	d, _ := startVTYDaemon(t, "hostname edge-1\n")
	v := openVTY(t, d)
	v.line("configure terminal")
	v.line("call-home")
	out, code := v.line("rate-limit 99")
	want := strings.Repeat(" ", len("edge-1(config-call-home)#rate-limit ")) + "^\n% Invalid input detected at '^' marker.\n"
	if code != 1 || !strings.HasPrefix(out, want) {
		t.Errorf("rate-limit 99:\n%s\nwant\n%s", out, want)
	}
	if d.Config().CallHome.RateLimit == 99 {
		t.Error("a refused line was applied")
	}
	out, code = v.line(strings.Repeat("x", 5000))
	if code != 1 || !strings.Contains(out, "4096") {
		t.Errorf("a 5,000-byte line: %q code %d", out, code)
	}
	out, code = v.line(strings.Repeat("x", control.MaxFrame+10))
	if code != 1 || !strings.Contains(out, "refused") {
		t.Errorf("a line over a frame: %q code %d", out, code)
	}
	if _, code := v.line("end"); code != 0 || v.prompt != "edge-1#" {
		t.Errorf("the session after long lines: prompt %q", v.prompt)
	}
}

// TestVTYEventCLI: `skip yes` blocks a typed command; a `sync yes` applet
// runs first, and its $_exit_status decides.
func TestVTYEventCLI(t *testing.T) {
	d, _ := startVTYDaemon(t, `hostname edge-1
event manager applet NORELOAD
 event cli pattern "^reload" sync no skip yes
 action 1.0 puts "no reload"
event manager applet ASK
 event cli pattern "^show call-home" sync yes
 action 1.0 puts "checked $_cli_msg"
 action 2.0 set _exit_status 1
event manager applet DENY
 event cli pattern "^event manager run" sync yes
 action 1.0 set _exit_status 0
`)
	v := openVTY(t, d)
	v.c.Send(control.Frame{Kind: control.FrameLine, Text: "reload"})
	if out, code := v.read(); code != 1 || !strings.Contains(out, "skipped") {
		t.Errorf("reload with skip yes: %q code %d", out, code)
	}
	d.opts.VTYCommands = append(d.opts.VTYCommands, vty.Command{Words: []string{"show", "call-home"}},
		vty.Command{Words: []string{"event", "manager", "run"}, Args: "NAME"})
	if out, code := v.line("sh call-home"); code != 0 || out != "checked show call-home\nran show call-home\n" {
		t.Errorf("a sync yes applet with $_exit_status 1: %q code %d", out, code)
	}
	if out, code := v.line("event manager run X"); code != 1 || strings.Contains(out, "ran") {
		t.Errorf("a sync yes applet with $_exit_status 0: %q code %d", out, code)
	}
}

// TestAppletSession: an applet's cli actions start in user EXEC, enable,
// configure the running configuration, and send other commands to the
// executor; each answer ends with the prompt.
func TestAppletSession(t *testing.T) {
	d, _ := startVTYDaemon(t, "hostname edge-1\ncall-home\n diagnostic-signature\n  command-map \"show clock\" \"echo hi\"\n")
	a := d.NewAppletSession(func(ctx context.Context, command string) (string, error) {
		out, err := d.notify.exec.Run(ctx, command)
		return out.Text, err
	})
	cli := func(ctx context.Context, command string) (string, error) {
		out, err := a.CLI(ctx, command)
		if out != "" && !strings.HasSuffix(out, "\n") {
			out += "\n"
		}
		return out + a.Prompt(), err
	}
	ctx := context.Background()
	for _, c := range []struct{ cmd, want string }{
		{"enable", "edge-1#"},
		{"configure terminal", "Enter configuration commands, one per line.  End with CNTL/Z.\nedge-1(config)#"},
		{"event manager environment q_x 42", "edge-1(config)#"},
		{"end", "edge-1#"},
	} {
		if out, err := cli(ctx, c.cmd); err != nil || out != c.want {
			t.Errorf("%q: %q %v, want %q", c.cmd, out, err, c.want)
		}
	}
	if v := d.Config().EventManager.Environment.Map()["q_x"]; v != "42" {
		t.Errorf("environment q_x = %q", v)
	}
	if out, _ := cli(ctx, "show clock"); out != "hi\nedge-1#" {
		t.Errorf("a command for the executor: %q", out)
	}
}
