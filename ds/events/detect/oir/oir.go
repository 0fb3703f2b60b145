package oir

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/dsengine/dsengine/internal/lazyre"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// The Hub finds the detector's inputs through these interfaces: the OIR
// messages in the syslog index, and injected events.
var (
	_ detector.OIRInput    = (*Detector)(nil)
	_ detector.SyslogInput = (*Detector)(nil)
)

// messages finds the messages Parse reads in the Hub's syslog index.
var messages = regexp.MustCompile(`^%(?:IOSXE_)?OIR-(?:[A-Z0-9_]+-)*[0-7]-(?:INS|REM)`)

// Detector is a registered OIR event. It implements detector.OIRInput
// and detector.SyslogInput.
type Detector struct {
	ev      ds.Event
	env     detector.Env
	action  string
	stopped atomic.Bool
}

// New validates ev: a slot of 0 or more or ds.SlotAny, and an action of
// insert, remove or any ("" is any).
func New(ev ds.Event, env detector.Env) (*Detector, error) {
	if ev.Slot < 0 && ev.Slot != ds.SlotAny {
		return nil, fmt.Errorf("oir event %s: slot %d is not a slot number or any", ev.ID, ev.Slot)
	}
	action := ev.OIRAction
	switch action {
	case "":
		action = detector.ActionAny
	case detector.ActionInsert, detector.ActionRemove, detector.ActionAny:
	default:
		return nil, fmt.Errorf("oir event %s: action %q is not insert, remove or any", ev.ID, action)
	}
	return &Detector{ev: ev, env: env, action: action}, nil
}

// Start does nothing: the Hub feeds the detector.
func (d *Detector) Start(context.Context) error { return nil }

// Stop ends detecting.
func (d *Detector) Stop() { d.stopped.Store(true) }

// Regexp finds the OIR messages in the Hub's syslog index.
func (d *Detector) Regexp() *lazyre.Regexp { return messagePattern }

// messagePattern is messages for the hub's index.
var messagePattern = lazyre.Of(messages)

// Syslog reads an OIR event from a message the index found (Parse).
func (d *Detector) Syslog(m *events.Message) {
	if e, ok := Parse(m); ok {
		e.Time, e.Host = d.env.Clock.Now(), m.Host
		d.OIR(e)
	}
}

// OIR fires when e's slot and action match the event's. A slot that is
// not a number (F0, R0) matches only slot any.
func (d *Detector) OIR(e detector.OIR) {
	if d.stopped.Load() {
		return
	}
	if d.ev.Slot != ds.SlotAny && d.ev.Slot != e.Slot {
		return
	}
	if d.action != detector.ActionAny && d.action != e.Action {
		return
	}
	f := d.env.Base(d.ev, e.Time)
	f.Payload = Fire{Slot: e.Slot, SlotName: e.SlotName, Action: e.Action}
	if e.Host != "" {
		f.Host = e.Host
	}
	if e.Message != nil {
		m := e.Message.Clone()
		f.Message = &m
	}
	d.env.Fire(f)
}

// Parse reads an OIR event from a syslog message: facility OIR or
// IOSXE_OIR (any sub-facility), a mnemonic starting with INS (insert) or
// REM (remove), and a text naming "slot N" or "subslot N/M" (whose slot
// is N). It reports false for any other message. Time and Host are left
// to the caller; Message is m.
func Parse(m *events.Message) (detector.OIR, bool) {
	if m.Facility != "OIR" && m.Facility != "IOSXE_OIR" {
		return detector.OIR{}, false
	}
	var action string
	switch {
	case strings.HasPrefix(m.Mnemonic, "INS"):
		action = detector.ActionInsert
	case strings.HasPrefix(m.Mnemonic, "REM"):
		action = detector.ActionRemove
	default:
		return detector.OIR{}, false
	}
	name, ok := slotName(m.Text)
	if !ok {
		return detector.OIR{}, false
	}
	return detector.OIR{Slot: SlotNumber(name), SlotName: name, Action: action, Message: m}, true
}

// slotName returns the word after "slot " or "subslot " in text, without
// trailing punctuation. A colon inside the word is kept: the host's
// sources name a PCI device 0000:00:1f.0.
func slotName(text string) (string, bool) {
	i := strings.Index(text, "slot ")
	if i < 0 {
		return "", false
	}
	rest := text[i+len("slot "):]
	end := len(rest)
	for j := 0; j < len(rest); j++ {
		if c := rest[j]; strings.IndexByte(" ,;)", c) >= 0 || c == ':' && (j+1 == len(rest) || rest[j+1] == ' ') {
			end = j
			break
		}
	}
	rest = strings.TrimRight(rest[:end], ".")
	return rest, rest != ""
}

// SlotNumber returns the slot number of a slot name: "3" is 3, "0/1" (a
// subslot) is 0, and a name that does not start with a number ("F0") is
// detector.SlotUnknown.
func SlotNumber(name string) int {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		name = name[:i]
	}
	n, err := strconv.Atoi(name)
	if err != nil || n < 0 {
		return detector.SlotUnknown
	}
	return n
}
