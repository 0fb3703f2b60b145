package transport

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkHTTPTransport measures POSTs per second of the http transport
// alone (no outbox, no fsync) to an in-process receiver answering 200.
func BenchmarkHTTPTransport(b *testing.B) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	defer rcv.Close()
	h, err := NewHTTP(nil, Options{HTTPTimeout: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	env := Envelope{ID: "bench", To: []string{rcv.URL}, ContentType: ContentTypeXML, Body: make([]byte, 4096)}
	ctx := context.Background()
	start := time.Now()
	for b.Loop() {
		if err := h.Send(ctx, env); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "sends/s")
}
