package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/emailto"
	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/actions/message"
	"github.com/dsengine/dsengine/ds/applet"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/correlate"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/events/detect/track"
)

// applets runs the configuration's EEM applets on the daemon's detectors.
type applets struct {
	ctx   context.Context
	hub   *detect.Hub
	clock ds.Clock
	host  *appletHost
	log   *slog.Logger

	mu      sync.Mutex
	running map[string]*sync.Mutex // one run of an applet at a time
	owners  []string
	corrs   []*correlate.Correlator
}

const appletOwnerPrefix = "applet:"

// load (re)registers every applet of cfg, replacing those of before.
func (a *applets) load(cfg *config.Config) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, o := range a.owners {
		a.hub.DeregisterOwner(o)
	}
	for _, c := range a.corrs {
		c.Close()
	}
	a.owners, a.corrs = nil, nil
	if a.running == nil {
		a.running = map[string]*sync.Mutex{}
	}
	env := cfg.EventManager.Environment.Map()
	for _, ap := range cfg.EventManager.Applets {
		if err := applet.Check(ap); err != nil {
			a.log.Error("applet not registered", "applet", ap.Name, "err", err)
			continue
		}
		owner := appletOwnerPrefix + ap.Name
		if a.running[ap.Name] == nil {
			a.running[ap.Name] = &sync.Mutex{}
		}
		runMu := a.running[ap.Name]
		run := func(f detect.Fired, events map[string]string) {
			go func() {
				runMu.Lock()
				defer runMu.Unlock()
				res, err := applet.Run(a.ctx, ap, applet.Env{Vars: env, Event: events, Clock: a.clock}, a.host)
				if err != nil {
					a.log.Warn("applet failed", "applet", ap.Name, "err", err)
					return
				}
				a.log.Info("applet ran", "applet", ap.Name, "exit", res.Exit, "output", strings.TrimSpace(res.Output))
			}()
		}
		var corr *correlate.Correlator
		if ap.Trigger != nil {
			prog, err := correlate.Compile(ap.Trigger, eventIDs(ap))
			if err == nil {
				corr, err = correlate.New(prog, correlate.Options{Clock: a.clock, OnDelayed: func(correlate.Trigger) {}})
			}
			if err != nil {
				a.log.Error("applet not registered", "applet", ap.Name, "err", err)
				continue
			}
			a.corrs = append(a.corrs, corr)
		}
		specs := make([]detect.Spec, 0, len(ap.Events))
		for _, ev := range ap.Events {
			specs = append(specs, detect.Spec{Owner: owner, Event: ev, Vars: env, Fire: func(f detect.Fired) {
				events := builtins(f)
				if corr == nil {
					run(f, events)
					return
				}
				if _, ok := corr.Observe(f.EventID, f.Time, f.Host); ok {
					run(f, events)
				}
			}})
		}
		// `correlate ... and track N`: the correlation follows the state of
		// each tracked object it names.
		if corr != nil {
			prog, _ := correlate.Compile(ap.Trigger, eventIDs(ap))
			for _, n := range prog.Tracks() {
				specs = append(specs, detect.Spec{Owner: owner,
					Event: ds.Event{ID: fmt.Sprintf("track_%d_state", n), Type: ds.EventTrack, TrackObject: n, TrackState: "any"},
					Fire: func(f detect.Fired) {
						p, _ := f.Payload.(track.Fire)
						for range corr.SetTrack(p.Object, p.State == "up", f.Time) {
							run(f, builtins(f))
						}
					}})
			}
		}
		if _, err := a.hub.RegisterAll(specs); err != nil {
			a.log.Error("applet not registered", "applet", ap.Name, "err", err)
			continue
		}
		a.owners = append(a.owners, owner)
	}
	a.log.Info("applets registered", "count", len(a.owners))
}

func eventIDs(ap *config.Applet) []string {
	ids := make([]string, 0, len(ap.Events))
	for _, e := range ap.Events {
		ids = append(ids, e.ID)
	}
	return ids
}

// builtins are the $_ variables of the event that ran an applet.
func builtins(f detect.Fired) map[string]string {
	return detect.Builtins(f)
}

// appletHost is what applet actions reach in the daemon.
type appletHost struct {
	exec      executor.Executor
	messenger *message.Messenger
	mail      *emailto.Action
	*applet.MemoryState
}

func (h *appletHost) CLI(ctx context.Context, command string) (string, error) {
	out, err := h.exec.Run(ctx, command)
	return out.Text, err
}

func (h *appletHost) Syslog(ctx context.Context, severity int, msg string) error {
	return h.messenger.Log(ds.Severity(severity), msg)
}

func (h *appletHost) Mail(ctx context.Context, m applet.Mail) error {
	if h.mail == nil {
		return fmt.Errorf("no mail-server is configured under `call-home`")
	}
	to := strings.FieldsFunc(m.To+","+m.Cc, func(r rune) bool { return r == ',' || r == ';' || r == ' ' })
	return h.mail.Send(ctx, emailto.Mail{To: to, Subject: m.Subject, Body: m.Body})
}

// runEventManagerRun is `event manager run NAME [ARGS]`: it fires the
// applet's `event none` in the running daemon.
func runEventManagerRun(e *env, _ *flag.FlagSet, args []string) error {
	if len(args) == 0 {
		return usagef("name the applet")
	}
	ev, err := e.events()
	if err != nil {
		return err
	}
	n, err := ev.hub.Run(appletOwnerPrefix+args[0], args[1:])
	if err != nil {
		return fmt.Errorf("applet %s: %w (only an applet with `event none` runs by hand)", args[0], err)
	}
	fmt.Fprintf(e.stdout, "applet %s started (%d event)\n", args[0], n)
	return nil
}
