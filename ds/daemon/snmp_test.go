package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/applet"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/internal/testserver"
)

// plainHost is an applet Host that does nothing: the SNMP and information
// actions are what the daemon's appletHost adds.
type plainHost struct{ applet.MemoryState }

func (*plainHost) CLI(context.Context, string) (string, error) { return "", nil }
func (*plainHost) Syslog(context.Context, int, string) error   { return nil }
func (*plainHost) Mail(context.Context, applet.Mail) error     { return nil }
func (*plainHost) Reload(context.Context) error                { return nil }
func (*plainHost) OpenFile(context.Context, string, string) (applet.File, error) {
	return nil, errors.New("plainHost has no files")
}
func (*plainHost) DeleteFile(context.Context, string) error {
	return errors.New("plainHost has no files")
}

// snmpDaemon is a Daemon holding only the configuration text and a clock,
// enough for appletHost.
func snmpDaemon(t *testing.T, text string) *Daemon {
	t.Helper()
	d := &Daemon{clock: clock.NewVirtual(t0)}
	d.cfg.Store(mustConfig(t, text))
	return d
}

func runApplet(t *testing.T, d *Daemon, ctx context.Context) (applet.Result, error) {
	t.Helper()
	return applet.Run(ctx, d.Config().Applet("SNMP"), applet.Env{Clock: d.clock}, d.appletHost(&plainHost{}))
}

// TestAppletSNMP runs the SNMP actions of an applet against a real snmpd
// and snmptrapd, configured by the dsengine block's snmp lines.
func TestAppletSNMP(t *testing.T) {
	agent := testserver.StartSNMPD(t)
	trapd := testserver.StartSNMPTrapd(t)
	d := snmpDaemon(t, fmt.Sprintf(`hostname edge-7
dsengine
 snmp agent %s community %s
 snmp trap-host %s community public
event manager applet SNMP
 event none
 action 1.0 info type snmp oid 1.3.6.1.2.1.1.5.0 get-type exact
 action 1.1 set exact "$_info_snmp_oid $_info_snmp_value"
 action 2.0 info type snmp oid 1.3.6.1.2.1.1.5.0 get-type next
 action 3.0 info type routername
 action 4.0 info type interface-names regexp "^lo$"
 action 5.0 snmp-trap intdata1 5 strdata "hello"
`, agent.Addr, agent.Community, trapd.Addr))
	res, err := runApplet(t, d, context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"exact":                 "1.3.6.1.2.1.1.5.0 " + testserver.SNMPDSysName,
		"_info_snmp_oid":        "1.3.6.1.2.1.1.6.0",
		"_info_snmp_value":      testserver.SNMPDSysLocation,
		"_info_routername":      "edge-7",
		"_info_interface_names": "lo",
	} {
		if res.Vars[k] != want {
			t.Errorf("$%s = %q, want %q", k, res.Vars[k], want)
		}
	}
	var traps []string
	if !testserver.Poll(10*time.Second, 10*time.Millisecond, func() bool {
		traps = trapd.Traps()
		return len(traps) > 0
	}) {
		t.Fatalf("snmptrapd logged no trap:\n%s", trapd.Output())
	}
	for _, want := range []string{
		".1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.4.1.9.10.134.0.2",
		".1.3.6.1.4.1.9.10.134.1.2.3.1.7.1 = STRING: \"SNMP\"",
		".1.3.6.1.4.1.9.10.134.1.2.3.1.9.1 = INTEGER: 5",
		".1.3.6.1.4.1.9.10.134.1.2.3.1.11.1 = STRING: \"hello\"",
	} {
		if !strings.Contains(traps[0], want) {
			t.Errorf("trap lacks %q:\n%s", want, traps[0])
		}
	}
}

// TestAppletSNMPNoAgent: an agent that does not answer ends the action
// when the run's context does (maxrun, or the daemon stopping), with an
// error naming the action and the cause (the run reports the context's
// cause, not the request: ds/snmp's tests check that the request's error
// names the agent).
func TestAppletSNMPNoAgent(t *testing.T) {
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	d := snmpDaemon(t, fmt.Sprintf(`dsengine
 snmp agent %s community public
event manager applet SNMP
 event none
 action 1.0 info type snmp oid 1.3.6.1.2.1.1.5.0 get-type exact
`, silent.LocalAddr()))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := runApplet(t, d, ctx)
		done <- err
	}()
	if _, _, err := silent.ReadFrom(make([]byte, 1500)); err != nil {
		t.Fatal(err)
	}
	cancel()
	err = <-done
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "action 1.0 info") {
		t.Errorf("silent agent: %v, want context.Canceled naming action 1.0 info", err)
	}
}

// TestAppletSNMPNotConfigured: without snmp lines the actions say which
// line to add.
func TestAppletSNMPNotConfigured(t *testing.T) {
	d := snmpDaemon(t, "event manager applet SNMP\n event none\n action 1 info type snmp oid 1.3.6.1.2.1.1.5.0 get-type exact\n")
	if _, err := runApplet(t, d, context.Background()); err == nil || !strings.Contains(err.Error(), "add `snmp agent") {
		t.Errorf("no agent: %v", err)
	}
	d = snmpDaemon(t, "event manager applet SNMP\n event none\n action 1 snmp-trap strdata x\n")
	if _, err := runApplet(t, d, context.Background()); err == nil || !strings.Contains(err.Error(), "add `snmp trap-host") {
		t.Errorf("no trap host: %v", err)
	}
}
