package daemon

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/internal/testserver"
)

// collector is a Call Home HTTP destination on 127.0.0.1 that keeps the
// messages it receives.
type collector struct {
	mu   sync.Mutex
	msgs []string
}

func newCollector(t *testing.T) (*collector, string) {
	c := &collector{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.msgs = append(c.msgs, string(b))
		c.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return c, srv.URL + "/callhome"
}

// find returns the first message containing every one of parts, waiting
// up to 30 s.
func (c *collector) find(t *testing.T, what string, parts ...string) string {
	t.Helper()
	var found string
	ok := testserver.Poll(30*time.Second, 10*time.Millisecond, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
	msgs:
		for _, m := range c.msgs {
			for _, p := range parts {
				if !strings.Contains(m, p) {
					continue msgs
				}
			}
			found = m
			return true
		}
		return false
	})
	if !ok {
		c.mu.Lock()
		defer c.mu.Unlock()
		t.Fatalf("no %s among %d call-home messages (want %q):\n%s", what, len(c.msgs), parts, strings.Join(c.msgs, "\n----\n"))
	}
	return found
}
