// Package lldp is the host's `source lldp`: it follows lldpd's neighbour
// table with `lldpcli -f json0 watch` and publishes each neighbour added,
// updated or deleted as an nd.Change, which `event neighbor-discovery`
// detects.
package lldp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/events/detect/nd"
	"github.com/dsengine/dsengine/ds/events/source"
)

// Descriptor describes the source to the table.
var Descriptor = source.Descriptor{
	Name:    "lldp",
	Summary: "LLDP (and, with lldpd -c, CDP) neighbours added, updated or deleted, from lldpd: event neighbor-discovery",
	Usage:   "source lldp [socket PATH] [cdp]",
	New:     func(args []string) (source.Source, error) { return New(args) },
}

// Source follows one lldpd.
type Source struct {
	socket string // lldpd's control socket; "" is lldpcli's default
	cdp    bool
	// Command is the lldpcli program; tests replace it.
	Command string
	c       source.Counters
}

// New reads the arguments: `socket PATH` (lldpd's -u) and `cdp`, which
// says lldpd runs with -c so CDP neighbours are reported (and `event
// neighbor-discovery ... cdp` may register).
func New(args []string) (*Source, error) {
	s := &Source{Command: "lldpcli"}
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "socket":
			if i+1 >= len(args) || args[i+1] == "" {
				return nil, errors.New("socket needs the path of lldpd's control socket (lldpd -u PATH)")
			}
			s.socket = args[i+1]
			i++
		case "cdp":
			s.cdp = true
		default:
			return nil, fmt.Errorf("unknown argument %q; expected socket PATH or cdp", args[i])
		}
	}
	return s, nil
}

// CDP reports whether a source line's arguments say lldpd reports CDP
// neighbours.
func CDP(args []string) bool {
	s, err := New(args)
	return err == nil && s.cdp
}

// Name is "lldp".
func (s *Source) Name() string { return "lldp" }

// Stats are the source's counters: Errors counts the neighbours lldpd
// described in a shape it could not read, and the watches that ended.
func (s *Source) Stats() source.Stats { return s.c.Snapshot(s.Name()) }

// The wait before watching again after lldpcli ended (lldpd not running,
// restarted): doubling from minRetry to maxRetry.
const (
	minRetry = time.Second
	maxRetry = 30 * time.Second
)

// Run watches until ctx ends, starting lldpcli again (after a wait on the
// clock) each time it ends.
func (s *Source) Run(ctx context.Context, env source.Env) error {
	backoff := source.Backoff{Min: minRetry, Max: maxRetry}
	for {
		start := env.Clock.Now()
		err := s.watch(ctx, env)
		if ctx.Err() != nil {
			return nil
		}
		s.c.Errors.Add(1)
		if env.Clock.Now().Sub(start) > maxRetry {
			backoff.Reset() // it ran a while: lldpd was restarted, not missing
		}
		wait := backoff.Next()
		env.Log.Warn("lldpcli watch ended; watching again", "error", err, "in", wait,
			"hint", "is lldpd running, is the source's socket its -u path, and can lldpcli (setuid _lldpd) reach the socket's directory?")
		if !source.Sleep(ctx, env.Clock, wait) {
			return nil
		}
	}
}

// watch runs one lldpcli watch and publishes what it prints until it ends.
func (s *Source) watch(ctx context.Context, env source.Env) error {
	args := []string{"-f", "json0", "watch"}
	if s.socket != "" {
		args = append([]string{"-u", s.socket}, args...)
	}
	cmd := exec.CommandContext(ctx, s.Command, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr strings.Builder
	cmd.Stderr = &limitWriter{w: &stderr, n: 4096}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.Command, err)
	}
	rerr := s.read(out, env)
	if rerr != nil {
		// lldpcli goes on watching after output dsengine cannot follow:
		// end it, so the watch starts again on a fresh stream.
		_ = cmd.Process.Kill()
	}
	// Drain what is left so lldpcli is not blocked writing, then reap it.
	_, _ = io.Copy(io.Discard, out)
	werr := cmd.Wait()
	if msg := strings.TrimSpace(stderr.String()); msg != "" {
		return fmt.Errorf("%s: %v: %s", s.Command, errors.Join(rerr, werr), msg)
	}
	return errors.Join(rerr, werr)
}

// read decodes the stream of JSON objects lldpcli prints, publishing the
// changes of each; it returns at the end of the stream or at JSON it
// cannot follow (the stream cannot be resynchronised: the caller starts
// the watch again).
func (s *Source) read(r io.Reader, env source.Env) error {
	dec := json.NewDecoder(bufio.NewReader(r))
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("lldpcli output: %w", err)
		}
		at := env.Clock.Now()
		changes, bad := Parse(raw, at)
		if bad > 0 {
			s.c.Errors.Add(uint64(bad))
			env.Log.Warn("lldpd described a neighbour in a shape dsengine cannot read; skipped", "count", bad)
		}
		for _, c := range changes {
			s.c.Publish(env, at, c)
		}
	}
}

// limitWriter keeps the first n bytes written to it.
type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if k := min(len(p), l.n); k > 0 {
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}

// The notifications of a watch, by their key in its output.
var notifications = map[string]string{"lldp-added": nd.Add, "lldp-updated": nd.Update, "lldp-deleted": nd.Delete}

// Parse reads one object of `lldpcli -f json0 watch` (lldpd 1.0.16:
// {"lldp-added": [{"interface": [{"name": …, "via": "LLDP", "chassis":
// […], "port": […]}]}]}) into changes at time at. bad counts what it
// skipped: an object or an interface entry of the wrong shape, missing
// its interface name, chassis id or port id. A neighbour of a protocol
// other than LLDP and CDP (EDP, FDP, SONMP) is skipped, not counted.
func Parse(raw []byte, at time.Time) (changes []nd.Change, bad int) {
	var top map[string][]struct {
		Interface []json.RawMessage `json:"interface"`
	}
	if err := json.Unmarshal(raw, &top); err != nil || len(top) == 0 {
		return nil, 1
	}
	for key, list := range top {
		notif, ok := notifications[key]
		if !ok {
			bad++
			continue
		}
		for _, l := range list {
			if len(l.Interface) == 0 {
				bad++
			}
			for _, ir := range l.Interface {
				c, ok, skip := parseInterface(ir)
				switch {
				case skip:
				case !ok:
					bad++
				default:
					c.Time, c.Notification = at, notif
					changes = append(changes, c)
				}
			}
		}
	}
	return changes, bad
}

// json0 puts every value in an array of objects.
type value struct {
	Value string `json:"value"`
}

type typed struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type capability struct {
	Type    string `json:"type"`
	Enabled bool   `json:"enabled"`
}

type iface struct {
	Name    string `json:"name"`
	Via     string `json:"via"`
	Chassis []struct {
		ID         []typed      `json:"id"`
		Name       []value      `json:"name"`
		Descr      []value      `json:"descr"`
		MgmtIP     []value      `json:"mgmt-ip"`
		Capability []capability `json:"capability"`
		TTL        []value      `json:"ttl"` // before lldpd 1.0: the chassis TTL
	} `json:"chassis"`
	Port []struct {
		ID    []typed `json:"id"`
		Descr []value `json:"descr"`
		TTL   []value `json:"ttl"`
	} `json:"port"`
}

func first[T any](l []T) (T, bool) {
	var z T
	if len(l) == 0 {
		return z, false
	}
	return l[0], true
}

// parseInterface reads one interface entry; skip is a protocol dsengine
// does not report.
func parseInterface(raw []byte) (c nd.Change, ok, skip bool) {
	var i iface
	if err := json.Unmarshal(raw, &i); err != nil || i.Name == "" {
		return c, false, false
	}
	switch {
	case i.Via == "LLDP":
		c.Protocol = nd.ProtocolLLDP
	case strings.HasPrefix(i.Via, "CDP"):
		c.Protocol = nd.ProtocolCDP
	default:
		return c, false, true
	}
	ch, ok1 := first(i.Chassis)
	port, ok2 := first(i.Port)
	if !ok1 || !ok2 {
		return c, false, false
	}
	cid, ok1 := first(ch.ID)
	pid, ok2 := first(port.ID)
	if !ok1 || !ok2 || cid.Value == "" || pid.Value == "" {
		return c, false, false
	}
	c.Interface, c.ChassisID, c.PortID = i.Name, cid.Value, pid.Value
	if v, ok := first(ch.Name); ok {
		c.SystemName = v.Value
	}
	if v, ok := first(ch.Descr); ok {
		c.SystemDescr = v.Value
	}
	if v, ok := first(ch.MgmtIP); ok {
		c.MgmtAddress = v.Value
	}
	if v, ok := first(port.Descr); ok {
		c.PortDescr = v.Value
	}
	ttl, ok := first(port.TTL)
	if !ok {
		ttl, ok = first(ch.TTL)
	}
	if ok {
		n, err := strconv.Atoi(ttl.Value)
		if err != nil || n < 0 {
			return c, false, false
		}
		c.TTL = n
	}
	for _, k := range ch.Capability {
		c.Capabilities = append(c.Capabilities, k.Type)
		if k.Enabled {
			c.Enabled = append(c.Enabled, k.Type)
		}
	}
	return c, true, false
}
