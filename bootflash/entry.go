package bootflash

import (
	"fmt"
	"maps"
	"time"
	"unicode/utf8"

	"github.com/dsengine/dsengine/ds"
)

// Entry is one DS's record in state.json. Times are stored in UTC, which
// the show commands print as GMT.
type Entry struct {
	ID       string      `json:"id"`
	Name     string      `json:"name,omitempty"`     // from the DS, refreshed whenever it passes Check
	Revision ds.Revision `json:"revision,omitempty"` // from the DS, refreshed whenever it passes Check
	Status   ds.Status   `json:"status"`
	// FailureReason says why Status is failed.
	FailureReason string `json:"failure_reason,omitempty"`
	// CheckFailed marks a failure set by the store because the files did
	// not pass Check at Open; the store clears it, and the failure, once
	// they pass again. Failures set by the engine are left alone.
	CheckFailed bool `json:"check_failed,omitempty"`
	// PromptAnswers are the install-time answers, by variable name.
	PromptAnswers map[string]string `json:"prompt_answers,omitempty"`
	// Installed is when the DS was installed; set by the caller.
	Installed time.Time `json:"installed,omitzero"`
	// LastUpdate is when its files were last stored; set by Put.
	LastUpdate time.Time `json:"last_update,omitzero"`
	Stats      Stats     `json:"statistics"`
	Download   Download  `json:"download,omitzero"`

	// Signature is the parsed DS, in memory only. It is nil unless the
	// stored files passed Check, so a nil Signature is never run.
	Signature *ds.Signature `json:"-"`
}

// Runnable reports whether the DS may be registered: its files passed
// Check and it is neither failed nor deinstalled.
func (e Entry) Runnable() bool {
	return e.Signature != nil && e.Status != ds.StatusFailed && e.Status != ds.StatusDeinstalled
}

// Stats are a DS's statistics (show call-home diagnostic-signature ID
// statistics).
type Stats struct {
	Triggers     int64         `json:"triggers"`
	LastTrigger  time.Time     `json:"last_trigger,omitzero"`
	Runs         int64         `json:"runs"`              // completed action runs
	TotalRunTime time.Duration `json:"total_run_time_ns"` // of those runs
	// Suppressed counts the runs a script ended (ds_stop, return false),
	// LastSuppressed the reason of the last; FailedRuns the runs cut
	// short (maxrun, a stop). Triggers count every one of them.
	Suppressed     int64                   `json:"suppressed,omitempty"`
	LastSuppressed string                  `json:"last_suppressed,omitempty"`
	FailedRuns     int64                   `json:"failed_runs,omitempty"`
	ActionsRun     int64                   `json:"actions_run"`
	ActionsFailed  int64                   `json:"actions_failed"`
	ByAction       map[ds.ActionType]int64 `json:"by_action,omitempty"` // actions run, per type
	LastAction     time.Time               `json:"last_action,omitzero"`
	// LastActionResult is the outcome of the last action: a short result
	// text, or the error text when it failed.
	LastActionResult string `json:"last_action_result,omitempty"`
	LastActionFailed bool   `json:"last_action_failed,omitempty"`
	// Keys are the key states of the DS's grouped events and correlation
	// (group-by), as of its last run.
	Keys []KeyGroup `json:"keys,omitempty"`
}

// Add merges d, the statistics of later runs, into s: the counters add
// up and the "last" fields take d's (LastSuppressed only when d has a
// suppressed run). Keys, a snapshot, is left to the caller. It is the one
// place that knows how two Stats combine: a new field is added here too
// (TestStatsAddCoversEveryField fails until it is).
func (s *Stats) Add(d Stats) {
	s.Triggers += d.Triggers
	s.LastTrigger = d.LastTrigger
	s.Runs += d.Runs
	s.TotalRunTime += d.TotalRunTime
	s.Suppressed += d.Suppressed
	if d.Suppressed > 0 {
		s.LastSuppressed = d.LastSuppressed
	}
	s.FailedRuns += d.FailedRuns
	if s.ByAction == nil && len(d.ByAction) > 0 {
		s.ByAction = map[ds.ActionType]int64{}
	}
	for t, n := range d.ByAction {
		s.ByAction[t] += n
	}
	s.ActionsRun += d.ActionsRun
	s.ActionsFailed += d.ActionsFailed
	s.LastAction, s.LastActionResult, s.LastActionFailed = d.LastAction, d.LastActionResult, d.LastActionFailed
}

// KeyGroup is the per-key state of one grouped event or correlation.
type KeyGroup struct {
	What    string     `json:"what"` // "event flap", "correlation"
	GroupBy string     `json:"group_by"`
	Held    int        `json:"held"`
	Max     int        `json:"max"`
	Evicted uint64     `json:"evicted"`
	Top     []KeyCount `json:"top,omitempty"` // most triggers first
}

// KeyCount is one key's triggers.
type KeyCount struct {
	Key      string    `json:"key"`
	Triggers uint64    `json:"triggers"`
	Last     time.Time `json:"last,omitzero"`
}

// AvgRunTime is the mean duration of a completed action run.
func (s Stats) AvgRunTime() time.Duration {
	if s.Runs == 0 {
		return 0
	}
	return s.TotalRunTime / time.Duration(s.Runs)
}

// Download records the last download attempt of a DS.
type Download struct {
	LastAttempt time.Time     `json:"last_attempt,omitzero"`
	Result      string        `json:"result,omitempty"` // "ok" or the error text
	Bytes       int64         `json:"bytes,omitempty"`
	Duration    time.Duration `json:"duration_ns,omitempty"`
}

// clone returns a copy that shares no maps with e. The Signature is shared:
// it is never modified after parsing.
func (e Entry) clone() Entry {
	e.PromptAnswers = maps.Clone(e.PromptAnswers)
	e.Stats.ByAction = maps.Clone(e.Stats.ByAction)
	return e
}

// limitText cuts the entry's free texts to MaxEntryText bytes: they may
// hold a script's error or a server's answer, which must not swell
// state.json.
func (e *Entry) limitText() {
	for _, t := range []*string{&e.FailureReason, &e.Stats.LastActionResult, &e.Stats.LastSuppressed, &e.Download.Result} {
		*t = cutText(*t, MaxEntryText)
	}
}

// cutText cuts s to at most max bytes, at a UTF-8 boundary, and says how
// much was cut.
func cutText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	note := fmt.Sprintf("… (cut from %d bytes)", len(s))
	n := max - len(note)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + note
}
