package metrics

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"time"
)

// StatusSection is one block of the device's status page: a title and
// the text of a show command.
type StatusSection struct {
	Title string
	Text  string
}

// statusTimeout bounds how long the page waits for the daemon's state.
const statusTimeout = 5 * time.Second

var statusPage = template.Must(template.New("status").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>dsengine status</title>
<style>body{font-family:system-ui,sans-serif;margin:1em}pre{background:#f4f4f4;padding:1em;overflow:auto}</style></head>
<body><h1>dsengine status</h1><p><a href="/metrics">Prometheus metrics</a></p>
{{range .}}<h2>{{.Title}}</h2><pre>{{.Text}}</pre>
{{end}}</body></html>`))

// statusHandler serves the status page (html/template: everything the
// show commands print is escaped).
func (m *Metrics) statusHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), statusTimeout)
		defer cancel()
		var b bytes.Buffer
		if err := statusPage.Execute(&b, m.status(ctx)); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		h.Set("Cache-Control", "no-store")
		_, _ = w.Write(b.Bytes())
	})
}
