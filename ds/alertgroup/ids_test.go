package alertgroup

import (
	"context"
	"regexp"
	"testing"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
)

var messageIDRE = regexp.MustCompile(`<aml-session:MessageId>(M[0-9]+):`)

// TestMessageIDsShared: a DS call-home message and an alert-group
// message, built from one Notifier as the daemon builds them, never share
// a message id.
func TestMessageIDsShared(t *testing.T) {
	h := newHarness(t, goldConfig+" diagnostic-signature\n  profile x\n")
	live := &actions.Live{Notify: h.notify, Config: func() *config.Config { return h.cfg }}
	ctx := context.Background()
	run := &engine.Run{Sig: &ds.Signature{ID: "6030", Name: "LinkDown"}, Trigger: engine.Trigger{Time: t0}}
	if _, err := actions.New(live, action.Deps{Clock: h.clock}).Perform(ctx, run, ds.Action{Type: ds.ActionCallHome}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.s.Test(ctx, "", "x"); err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, m := range h.out.all() {
		id := messageIDRE.FindStringSubmatch(string(m.Body))
		if id == nil {
			t.Fatalf("%s message has no message id:\n%s", m.Type, m.Body)
		}
		if other, dup := seen[id[1]]; dup {
			t.Errorf("the %s and %s messages both have message id %s", other, m.Type, id[1])
		}
		seen[id[1]] = string(m.Type)
	}
}
