package metrics

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestStatusPage: the status page shows each section's text, escaped, at
// / next to /metrics; without Sources.Status there is none.
func TestStatusPage(t *testing.T) {
	for _, withStatus := range []bool{true, false} {
		src := Sources{}
		if withStatus {
			src.Status = func(context.Context) []StatusSection {
				return []StatusSection{{Title: "show call-home diagnostic-signature", Text: "6030  ActCH  1.1  running\n<script>x</script>"}}
			}
		}
		m := New(src)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- m.ServeListener(ctx, ln) }()
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if withStatus {
			if resp.StatusCode != 200 || !strings.Contains(string(body), "6030  ActCH  1.1  running") ||
				!strings.Contains(string(body), "&lt;script&gt;") || strings.Contains(string(body), "<script>") {
				t.Errorf("status page: %d\n%s", resp.StatusCode, body)
			}
		} else if resp.StatusCode != 404 {
			t.Errorf("no status: %d", resp.StatusCode)
		}
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
