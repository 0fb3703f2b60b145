package alertgroup

import (
	"sync"

	"github.com/dsengine/dsengine/ds/config"
)

// job is an event-triggered send waiting for the worker: the alert, the
// configuration it was decided on, and the profiles it goes to. Later
// fires for the same syslog line may add profiles until the worker takes
// it.
type job struct {
	cfg   *config.Config
	alert Alert

	mu       sync.Mutex
	profiles []*config.Profile
	taken    bool // by the worker: profiles no longer change
}

// join adds profiles to a job the worker has not taken yet, and reports
// whether it could.
func (j *job) join(profiles []*config.Profile) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.taken {
		return false
	}
	j.profiles = append(j.profiles, profiles...)
	return true
}

// take returns the job's profiles for the worker; join fails afterwards.
func (j *job) take() []*config.Profile {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.taken = true
	return j.profiles
}

// queue hands j to the worker without waiting. A full queue drops it:
// logged and counted (Dropped); after Close it is ignored. It reports
// whether j was queued.
func (s *Sender) queue(j *job) bool {
	s.closeMu.RLock()
	defer s.closeMu.RUnlock()
	if s.closed {
		return false
	}
	s.pending.add(1)
	select {
	case s.jobs <- j:
		return true
	default:
		s.pending.add(-1)
		s.dropped.Add(1)
		s.log.Warn("call-home: event message dropped: too many waiting; see Options.Queue", "group", j.alert.Group,
			"event", j.alert.Description)
		return false
	}
}

// Dropped returns how many event-triggered sends were dropped because the
// queue was full.
func (s *Sender) Dropped() uint64 { return s.dropped.Load() }

// work sends the queued messages until Close.
func (s *Sender) work() {
	defer s.worker.Done()
	for j := range s.jobs {
		profiles := j.take()
		if s.ctx.Err() == nil {
			res := s.deliver(s.ctx, j.cfg, j.alert.spec(), profiles)
			if err := res.Error(); err != nil {
				s.log.Warn("call-home", "result", res.String())
			} else {
				s.log.Info("call-home", "result", res.String())
			}
		}
		s.pending.add(-1)
	}
}

// Flush waits until every event-triggered send queued so far, and any
// queued meanwhile, is done.
func (s *Sender) Flush() { s.pending.wait() }

// pendingCount counts queued jobs; unlike a sync.WaitGroup, it may be
// waited on while jobs are added.
type pendingCount struct {
	mu   sync.Mutex
	cond *sync.Cond
	n    int
}

func (p *pendingCount) add(d int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n += d
	if p.n == 0 && p.cond != nil {
		p.cond.Broadcast()
	}
}

func (p *pendingCount) wait() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cond == nil {
		p.cond = sync.NewCond(&p.mu)
	}
	for p.n > 0 {
		p.cond.Wait()
	}
}
