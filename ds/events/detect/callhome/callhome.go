package callhome

import (
	"context"
	"fmt"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// The Hub lists the detector's alert group through this interface.
var _ detector.AlertGrouper = (*Detector)(nil)

// Detector is a registered call-home event. It implements
// detector.AlertGrouper.
type Detector struct {
	group string
}

// New validates the alert group: one of config.AlertGroups().
func New(ev ds.Event, _ detector.Env) (*Detector, error) {
	if _, ok := config.ParseAlertGroup(ev.AlertGroup); !ok {
		return nil, fmt.Errorf("call-home event %s: alert group %q is not one of %s", ev.ID, ev.AlertGroup, strings.Join(Groups(), ", "))
	}
	return &Detector{group: ev.AlertGroup}, nil
}

// AlertGroup returns the group whose messages carry the DS's commands.
func (d *Detector) AlertGroup() string { return d.group }

// Start does nothing.
func (d *Detector) Start(context.Context) error { return nil }

// Stop does nothing.
func (d *Detector) Stop() {}
