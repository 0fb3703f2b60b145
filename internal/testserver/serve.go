package testserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
)

// Serve runs one request through h, with body when it is not empty, and
// returns what h wrote.
func Serve(h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	h.ServeHTTP(w, httptest.NewRequest(method, target, rd))
	return w
}
