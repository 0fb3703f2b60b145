// Package callhome runs the DS call-home action: a message of type
// diagnostic-signature, subtype the DS id, carrying the outputs of the
// run's command actions so far, to the DS profile's destinations through
// the rate limit and the durable outbox (ds/notify composes it).
package callhome

import (
	"context"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/notify/callhome"
)

// Action is the call-home action.
type Action struct{}

// Run sends the run's message.
func (Action) Run(ctx context.Context, run *engine.Run, a ds.Action, dev action.Device) (string, error) {
	return dev.CallHome(ctx, Message(run))
}

// Message is the call-home message of a DS run: type
// diagnostic-signature, subtype the DS id, the description the event that
// fired it, the command outputs attached (a failed command's error noted
// after its output). The notifier fills in the rest.
func Message(run *engine.Run) *callhome.Message {
	desc := run.Sig.Name
	if n := len(run.Trigger.Events); n > 0 && run.Trigger.Events[n-1].Text != "" {
		desc = run.Trigger.Events[n-1].Text
	}
	m := &callhome.Message{
		Type: callhome.TypeDiagnosticSignature, SubType: run.Sig.ID, Name: run.Sig.Name,
		Severity: config.SeverityNotification, EventTime: run.Trigger.Time, Description: desc,
	}
	for _, o := range run.Outputs {
		out := o.Output
		if o.Err != "" {
			out += "\n*** " + o.Err + " ***\n"
		}
		m.Attachments = append(m.Attachments, callhome.Attachment{Command: o.Command, Output: out})
	}
	return m
}
