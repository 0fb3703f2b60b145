package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/notify/outbox"
	"github.com/dsengine/dsengine/ds/notify/transport"
	showch "github.com/dsengine/dsengine/ds/show/callhome"
)

// runShowCallHome is `show call-home [detail|profile all|profile NAME|
// statistics|mail-server status|alert-group]`.
func runShowCallHome(e *env, _ *flag.FlagSet, args []string) error {
	cfg, err := e.currentConfig()
	if err != nil {
		return err
	}
	switch strings.Join(args, " ") {
	case "":
		showch.Summary(e.stdout, cfg)
	case "detail":
		showch.Detail(e.stdout, cfg)
	case "alert-group":
		showch.AlertGroups(e.stdout, cfg)
	case "profile all":
		showch.Profiles(e.stdout, cfg)
	case "statistics":
		stats := outbox.NewStats().Snapshot()
		if e.daemon != nil {
			stats = e.daemon.OutboxStats()
		} else {
			fmt.Fprintln(e.stderr, "no dsengine daemon is running: the statistics are counted by the running daemon")
		}
		showch.Statistics(e.stdout, stats)
	case "mail-server status":
		ts, err := transport.New(&cfg.CallHome, transport.Options{})
		if err != nil {
			return err
		}
		var servers []transport.ServerStatus
		for _, t := range ts {
			if em, ok := t.(*transport.Email); ok {
				ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
				servers = em.Check(ctx)
				cancel()
			}
		}
		showch.MailServerStatus(e.stdout, servers)
	default:
		if len(args) == 2 && args[0] == "profile" {
			p := cfg.Profile(args[1])
			if p == nil {
				return fmt.Errorf("profile %s does not exist; `show call-home profile all` lists them", args[1])
			}
			showch.Profile(e.stdout, p)
			return nil
		}
		return usagef("unknown view %q", strings.Join(args, " "))
	}
	return nil
}
