package alertgroup

import (
	"context"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/notify"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"github.com/dsengine/dsengine/ds/notify/outbox"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

// t0 is a Monday.
var t0 = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// fakeExec answers commands from a map; a command it does not know fails
// as the sim executor does. It records what ran.
type fakeExec struct {
	mu      sync.Mutex
	outputs map[string]string
	ran     []string
	log     *eventLog
}

func (f *fakeExec) Run(ctx context.Context, command string) (executor.Output, error) {
	f.mu.Lock()
	f.ran = append(f.ran, command)
	out, ok := f.outputs[command]
	f.mu.Unlock()
	f.log.add("run " + command)
	if !ok {
		return executor.Output{ExitCode: -1}, &executor.Error{Executor: "sim", Command: command, Kind: executor.ErrRefused, Detail: "no canned output"}
	}
	return executor.Output{Text: out}, nil
}

func (f *fakeExec) Close() error { return nil }

func (f *fakeExec) commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ran)
}

// recorder is the Enqueuer: it keeps what it is given, or fails with err.
type recorder struct {
	mu   sync.Mutex
	msgs []outbox.Message
	err  error
	log  *eventLog
}

func (r *recorder) Enqueue(ctx context.Context, m outbox.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.msgs = append(r.msgs, m)
	r.log.add("enqueue " + string(m.Type) + " " + strings.Join(append(m.To["http"], m.To["email"]...), ","))
	return nil
}

func (r *recorder) all() []outbox.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = nil
}

// eventLog orders what happened across the fakes and the hook.
type eventLog struct {
	mu  sync.Mutex
	ev  []string
	off bool
}

func (l *eventLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.off {
		l.ev = append(l.ev, s)
	}
}

func (l *eventLog) events() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ev)
}

// testConfig is the configuration most tests use.
const testConfig = `hostname edge-1
service call-home
call-home
 contact-email-addr noc@example.com
 phone-number +1-408-555-0100
 customer-id CUST-42
 site-id SJC-1
 profile "user1"
  destination transport-method http
  no destination transport-method email
  destination address http https://collector.example.com/callhome
  subscribe-to-alert-group inventory periodic daily 14:00
  subscribe-to-alert-group configuration
  subscribe-to-alert-group environment severity major
  subscribe-to-alert-group syslog severity minor pattern "LINK-3-UPDOWN"
  subscribe-to-alert-group crash
 profile "mail"
  destination address email ops@example.com
  destination preferred-msg-format long-text
  subscribe-to-alert-group syslog severity critical
  subscribe-to-alert-group snapshot periodic hourly 30
  subscribe-to-alert-group inventory
 alert-group-config snapshot
  add-command "show clock"
  add-command "show ip route"
`

// outputs are the canned outputs of the fake executor.
var outputs = map[string]string{
	"show version":                "Linux edge-1 6.8.0-45-generic #45-Ubuntu SMP x86_64 GNU/Linux\n 14:00:00 up 12 days,  3:04,  1 user,  load average: 0.10, 0.08, 0.05\n",
	"show logging":                "Nov 23 13:59:58 edge-1 kernel: eth0: link down\n",
	"show inventory":              "NAME: \"Chassis\", DESCR: \"QEMU Standard PC\"\nPID: Linux, VID: pc-q35, SN: 8F3C2A91D04E\n",
	"show inventory oid":          "NAME: \"Chassis\", DESCR: \"QEMU Standard PC\"\nPID: Linux, VID: pc-q35, SN: 8F3C2A91D04E\n",
	"show platform":               "Chassis type: QEMU Standard PC\nKernel:       Linux 6.8.0-45-generic x86_64\n",
	"show running-config all":     "hostname edge-1\nusername admin secret 5 $1$abcd$XYZ\nip domain name example.com\n",
	"show startup-config":         "hostname edge-1\nusername admin secret 5 $1$abcd$XYZ\n",
	"show environment":            "acpitz                         27.8 C\n",
	"show stack":                  "No core dump list (coredumpctl not installed)\n",
	"show diag all eeprom detail": "sys_vendor          : QEMU\nproduct_name        : Standard PC (Q35 + ICH9, 2009)\n",
	"show interfaces":             "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n",
	"show file systems":           "Filesystem      Size  Used Avail Use% Mounted on\n/dev/vda1        20G  4.1G   15G  22% /\n",
	"show memory statistics":      "MemTotal:        8000000 kB\n",
	"show processes memory":       "               total        used        free\nMem:         8000000     1000000     7000000\n",
	"show processes cpu":          "USER  PID %CPU %MEM COMMAND\nroot    1  0.0  0.1 /sbin/init\n",
	"show clock":                  "Mon Nov 23 14:30:00 UTC 2026\n",
	"show ip route":               "default via 192.0.2.1 dev eth0\n",
	"show diag":                   "diag output\n",
}

// testDevice is the sending host.
func testDevice() callhome.Device {
	return callhome.Device{Product: "dsengine", BuilderVersion: callhome.AMLBuilderVersion, Brand: callhome.DeviceBrand,
		Series: callhome.DeviceSeries, PID: "Linux", Serial: "8F3C2A91D04E", HardwareVersion: "x86_64",
		SoftwareVersion: "dsengine 0.1", SystemDescription: "Linux 6.8.0-45-generic x86_64"}
}

// harness is a Sender on fakes and a virtual clock.
type harness struct {
	t      *testing.T
	cfg    *config.Config
	clock  *clock.Virtual
	exec   *fakeExec
	out    *recorder
	log    *eventLog
	notify *notify.Notifier
	hub    *detect.Hub
	s      *Sender
}

// newHarness parses conf and builds a Sender over it; opts may adjust the
// options.
func newHarness(t *testing.T, conf string, opts ...func(*Options)) *harness {
	t.Helper()
	cfg, err := iosconfig.Parse("t.conf", []byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, cfg: cfg, clock: clock.NewVirtual(t0), log: &eventLog{}}
	h.exec = &fakeExec{outputs: outputs, log: h.log}
	h.out = &recorder{log: h.log}
	h.notify, err = notify.New(notify.Options{Device: testDevice(), Hostname: "vm7", Clock: h.clock, Out: h.out})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Config: func() *config.Config { return h.cfg }, Exec: h.exec, Notify: h.notify, Clock: h.clock}
	for _, f := range opts {
		f(&o)
	}
	h.hub = detect.NewHub(context.Background(), detect.Options{Clock: h.clock, Host: "edge-1"})
	t.Cleanup(h.hub.Close)
	h.s, err = New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.s.Close)
	if err := h.s.Subscribe(h.hub); err != nil {
		t.Fatal(err)
	}
	return h
}

// registered returns "OWNER TYPE EVENT" of the hub's registrations.
func (h *harness) registered() []string {
	var out []string
	for _, r := range h.hub.Registrations() {
		out = append(out, fmt.Sprintf("%s %s %s", r.Owner, r.Type, r.EventID))
	}
	return out
}

// aml is the part of an XML message the tests read.
type aml struct {
	To     string `xml:"Header>Session>To"`
	Header struct {
		Type     string `xml:"Type"`
		Severity int    `xml:"Severity"`
	} `xml:"Body>Block>Header"`
	CallHome struct {
		EventTime   string `xml:"EventTime"`
		Description string `xml:"MessageDescription"`
		Event       struct {
			Type    string `xml:"Type"`
			SubType string `xml:"SubType"`
		} `xml:"Event"`
		Customer struct {
			Email      string `xml:"UserData>Email"`
			CustomerID string `xml:"ContractData>CustomerId"`
			Name       string `xml:"SystemInfo>Name"`
			CCOID      string `xml:"CCOID"`
		} `xml:"CustomerData"`
	} `xml:"Body>Block>Content>CallHome"`
	Attachments []struct {
		Name string `xml:"Name"`
		Data string `xml:"Data"`
	} `xml:"Body>Block>Attachments>Attachment"`
}

// parseAML reads an XML message.
func parseAML(t *testing.T, body []byte) aml {
	t.Helper()
	var m aml
	if err := xml.Unmarshal(body, &m); err != nil {
		t.Fatalf("message is not XML: %v\n%s", err, body)
	}
	return m
}

// names returns the attachment names of a message.
func (m aml) names() []string {
	var out []string
	for _, a := range m.Attachments {
		out = append(out, a.Name)
	}
	return out
}

// to returns the destinations of a message, http first.
func to(m outbox.Message) string {
	return strings.Join(append(append([]string(nil), m.To["http"]...), m.To["email"]...), ",")
}

// summary is "Type to DEST" per message.
func summary(msgs []outbox.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, fmt.Sprintf("%s %s", m.Type, to(m)))
	}
	return out
}

// blockingExec holds every command until block is closed.
type blockingExec struct {
	block chan struct{}
	next  executor.Executor
}

func (b blockingExec) Run(ctx context.Context, command string) (executor.Output, error) {
	<-b.block
	return b.next.Run(ctx, command)
}

func (b blockingExec) Close() error { return nil }
