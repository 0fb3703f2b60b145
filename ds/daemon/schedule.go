package daemon

import (
	"context"
	"fmt"
	"strings"

	"github.com/dsengine/dsengine/ds/actions"
	"github.com/dsengine/dsengine/ds/alertgroup"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/lifecycle"
)

// scheduleStage sends the periodic alert-group messages; the regular DS
// download runs right after the DS profile's periodic inventory message,
// as the guide says, and only once a DS profile is assigned.
type scheduleStage struct {
	d     *Daemon
	sched *alertgroup.Scheduler
}

func (d *Daemon) startSchedule(ctx context.Context) *scheduleStage {
	s := &scheduleStage{d: d}
	s.sched = alertgroup.NewScheduler(d.notify.alerts, func(profile string) { d.regularDownload(ctx, profile) })
	s.reschedule(d.Config())
	return s
}

// reschedule plans the periodic messages of cfg.
func (s *scheduleStage) reschedule(cfg *config.Config) {
	if err := s.sched.Reschedule(cfg); err != nil {
		s.d.log.Error("alert-group schedules", "err", err)
	}
	for _, p := range s.sched.Planned() {
		s.d.log.Info("periodic message planned", "plan", fmt.Sprintf("%+v", p))
	}
}

func (s *scheduleStage) stop() { s.sched.Stop() }

// regularDownload fetches the changed DS after profile's periodic
// inventory message, when profile is the DS profile and a repository is
// configured.
func (d *Daemon) regularDownload(ctx context.Context, profile string) {
	c := d.Config()
	if c.DiagnosticSignature.ProfileLine == 0 || c.DiagnosticSignature.Repository == "" ||
		!strings.EqualFold(profile, c.DiagnosticSignature.Profile) {
		return
	}
	ctx, release, err := d.acquire(ctx)
	if err != nil {
		return // stopping
	}
	defer release()
	res, err := d.opts.Manager.Download(ctx, c, lifecycle.DownloadRequest{Clock: d.clock, Serial: actions.HostDevice().Serial})
	if err != nil {
		d.log.Error("periodic DS download", "err", err)
	}
	if res != nil {
		d.log.Info("periodic DS download", "result", res.String())
	}
	d.resync()
}
