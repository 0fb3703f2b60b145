// Package udev is the kernel's device events as a native event source
// (`source udev`): it reads uevents from the kernel over a
// NETLINK_KOBJECT_UEVENT socket and raises IOS's OIR messages for the
// devices added and removed (%OIR-6-INSCARD, %OIR-6-REMCARD), which the
// hub's OIR detector, `event oir` and the inventory alert group follow.
package udev

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/dsengine/dsengine/ds/events/source"
)

// DefaultSubsystems are the subsystems watched when the line names none.
var DefaultSubsystems = []string{"usb", "pci"}

// Burst and PerSecond bound a flood of uevents: Burst lines at once, then
// PerSecond a second on the clock; the others are counted as dropped.
const (
	Burst     = 100
	PerSecond = 100
)

// Descriptor describes the source to the table.
var Descriptor = source.Descriptor{
	Name:    "udev",
	Summary: "kernel uevents: a USB or PCI device added or removed raises %OIR-6-INSCARD or %OIR-6-REMCARD",
	Usage:   "source udev [subsystem NAME ...]",
	New:     New,
}

// Source reads the kernel's uevents.
type Source struct {
	subsystems []string
	c          source.Counters
}

// New reads `[subsystem NAME ...]`, opening nothing.
func New(args []string) (source.Source, error) {
	s := &Source{}
	if len(args) == 0 {
		s.subsystems = slices.Clone(DefaultSubsystems)
		return s, nil
	}
	if args[0] != "subsystem" {
		return nil, fmt.Errorf("unknown argument %q; expected subsystem NAME ...", args[0])
	}
	if len(args) == 1 {
		return nil, errors.New("subsystem needs at least one name, such as usb or pci")
	}
	for _, n := range args[1:] {
		if n == "" || strings.ContainsAny(n, "/= \t") || len(n) > 64 {
			return nil, fmt.Errorf("subsystem %q is not a subsystem name such as usb, pci or net", n)
		}
		if !slices.Contains(s.subsystems, n) {
			s.subsystems = append(s.subsystems, n)
		}
	}
	return s, nil
}

// Name is "udev".
func (s *Source) Name() string { return "udev" }

// Stats returns the counters: events are the OIR lines raised, dropped
// the uevents beyond the flood bound (and the kernel's, when its socket
// buffer overflowed), errors the messages that could not be read.
func (s *Source) Stats() source.Stats { return s.c.Snapshot("udev") }

// Run reads uevents until ctx ends.
func (s *Source) Run(ctx context.Context, env source.Env) error {
	f, err := open()
	if err != nil {
		return fmt.Errorf("source udev: %w (it needs a kernel with uevents over netlink, and root)", err)
	}
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer stop()
	defer f.Close()
	b := &bucket{tokens: Burst, last: env.Clock.Now()}
	buf := make([]byte, 64<<10)
	for {
		n, err := f.Read(buf)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, unix.ENOBUFS) {
			// The kernel dropped uevents it could not queue: how many is
			// not known, so one is counted.
			s.c.Dropped.Add(1)
			env.Log.Warn("udev: the kernel dropped uevents (socket buffer full); reading on")
			continue
		}
		if err != nil {
			return fmt.Errorf("source udev: reading uevents: %w", err)
		}
		ev, ok := parse(buf[:n])
		if !ok {
			s.c.Errors.Add(1)
			continue
		}
		line, ok := s.line(ev)
		if !ok {
			continue
		}
		now := env.Clock.Now()
		if !b.take(now) {
			if s.c.Dropped.Add(1); !b.flooding {
				env.Log.Warn("udev: uevent flood; dropping OIR events beyond the bound",
					"burst", Burst, "per_second", PerSecond)
			}
			b.flooding = true
			continue
		}
		b.flooding = false
		s.c.Syslog(env, now, line)
	}
}

// open binds a socket to the kernel's uevent multicast group, with a
// large buffer so that a burst is read rather than lost.
func open() (*os.File, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_KOBJECT_UEVENT)
	if err != nil {
		return nil, fmt.Errorf("netlink uevent socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: 1}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("binding the uevent socket: %w", err)
	}
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20) != nil {
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 8<<20) // not root: as large as allowed
	}
	// Non-blocking, the file goes through the runtime's poller, so Close
	// ends a pending Read.
	return os.NewFile(uintptr(fd), "uevent"), nil
}

// uevent is one kernel uevent: ACTION@DEVPATH then KEY=VALUE fields.
type uevent map[string]string

// parse reads a kernel uevent ("add@/devices/…\0ACTION=add\0…"); udevd's
// own messages ("libudev" header) and anything else are refused.
func parse(b []byte) (uevent, bool) {
	parts := bytes.Split(b, []byte{0})
	head := string(parts[0])
	if !strings.Contains(head, "@/") {
		return nil, false
	}
	ev := uevent{}
	for _, p := range parts[1:] {
		if k, v, ok := strings.Cut(string(p), "="); ok {
			ev[k] = v
		}
	}
	if ev["ACTION"] == "" || ev["DEVPATH"] == "" || ev["SUBSYSTEM"] == "" {
		return nil, false
	}
	return ev, true
}

// line is the OIR message of ev, false when ev is not an addition or
// removal of a watched subsystem's device.
func (s *Source) line(ev uevent) (string, bool) {
	sub := ev["SUBSYSTEM"]
	if !slices.Contains(s.subsystems, sub) {
		return "", false
	}
	if sub == "usb" && ev["DEVTYPE"] != "usb_device" {
		return "", false // the interfaces of a USB device: the device is the card
	}
	slot := path.Base(ev["DEVPATH"])
	details := sub
	switch sub {
	case "usb":
		// PRODUCT is vendor/product/bcdDevice in hex, without leading zeros.
		if f := strings.Split(ev["PRODUCT"], "/"); len(f) >= 2 {
			details += " vendor " + hex4(f[0]) + " product " + hex4(f[1])
		}
	case "pci":
		if slot = ev["PCI_SLOT_NAME"]; slot == "" {
			slot = path.Base(ev["DEVPATH"])
		}
		if v, p, ok := strings.Cut(ev["PCI_ID"], ":"); ok {
			details += " vendor " + hex4(v) + " product " + hex4(p)
		}
		if c := ev["PCI_CLASS"]; c != "" {
			details += " class " + strings.ToLower(c)
		}
	case "net":
		if n := ev["INTERFACE"]; n != "" {
			slot = n
		}
	}
	slot = clean(slot)
	switch ev["ACTION"] {
	case "add":
		return fmt.Sprintf("%%OIR-6-INSCARD: Card inserted in slot %s, interfaces are now online (%s %s)", slot, details, clean(ev["DEVPATH"])), true
	case "remove":
		return fmt.Sprintf("%%OIR-6-REMCARD: Card removed from slot %s, interfaces disabled (%s %s)", slot, details, clean(ev["DEVPATH"])), true
	}
	return "", false
}

// hex4 writes a hex id as four lower-case digits ("46d" is "046d").
func hex4(s string) string {
	n, err := strconv.ParseUint(s, 16, 16)
	if err != nil {
		return clean(s)
	}
	return fmt.Sprintf("%04x", n)
}

// clean keeps a kernel-given word printable and short in a log line.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x21 || r == 0x7f {
			return '_'
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// bucket bounds the lines raised: Burst at once, PerSecond a second.
type bucket struct {
	tokens   float64
	last     time.Time
	flooding bool
}

func (b *bucket) take(now time.Time) bool {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(Burst, b.tokens+d.Seconds()*PerSecond)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
