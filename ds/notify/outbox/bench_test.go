package outbox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/notify/transport"
)

// BenchmarkHTTPSends measures delivered messages per second through the
// whole durable path (bootflash outbox with its fsyncs, workers, the http
// transport) to a local receiver, without a rate limit. The receiver is an
// in-process httptest server answering 200.
func BenchmarkHTTPSends(b *testing.B) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	defer rcv.Close()
	clk := ds.RealClock{}
	store := openStore(b, b.TempDir(), clk)
	defer store.Close()
	tr, err := transport.NewHTTP(nil, transport.Options{HTTPTimeout: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	o, err := New(store, Options{Transports: []transport.Transport{tr}, Clock: clk})
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	o.Start()
	msg := dsMessage(httpTo(rcv.URL))
	msg.Body = make([]byte, 4096) // a small call-home message
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if err := o.Enqueue(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
	for {
		st := o.Stats().Snapshot()
		if st.Success[TypeDS].HTTP == int64(b.N) {
			break
		}
		if st.Failed.Total().Total() > 0 || o.Len() > 0 && time.Since(start) > time.Minute {
			b.Fatalf("sends failed: %+v", st)
		}
		time.Sleep(100 * time.Microsecond)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "sends/s")
}
