package main

import (
	"bytes"
	"testing"

	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/internal/golden"
)

// TestShowEventManagerInputs: the inputs' tables of `show event manager
// statistics`, with the connections of the TCP inputs (issue 13: rejected
// connections showed nowhere).
func TestShowEventManagerInputs(t *testing.T) {
	var b bytes.Buffer
	printInputStats(&b, []input.Stats{
		{Input: "udp:127.0.0.1:5514", Received: 10, Delivered: 8, Dropped: 1, KernelDrops: 1, Oversize: 1},
		{Input: "tcp:127.0.0.1:5514", Received: 5, Delivered: 5, FramingErrors: 2, Connections: 16,
			Accepted: 3017, Rejected: 12, IdleClosed: 3001},
		{Input: "tcp:[::1]:5514"},
		{Input: "engine messages", Received: 3, Delivered: 3},
	})
	golden.Check(t, "testdata/show-event-manager-inputs.golden", b.Bytes())
}
