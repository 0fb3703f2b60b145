package input_test

import (
	"context"
	"fmt"

	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/input/tcp"
	"github.com/dsengine/dsengine/ds/events/input/udp"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
)

// The daemon's wiring: every input feeds one queue, and the detectors take
// the lines from it and parse them.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u, err := udp.Listen("127.0.0.1:5514", udp.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	t, err := tcp.Listen("127.0.0.1:5514", tcp.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	q := input.NewQueue(4096, 16<<20)
	for _, in := range []input.Input{u, t} {
		go func() {
			if err := in.Run(ctx, q); err != nil {
				fmt.Println(err)
			}
		}()
	}
	var m events.Message
	for {
		it, err := q.Get(ctx)
		if err != nil {
			return
		}
		syslogmsg.Parse(it.Line, it.Received, &m)
		fmt.Println(it.Input, m.Tag, m.Text)
	}
}
