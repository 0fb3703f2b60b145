package transport

import (
	"github.com/dsengine/dsengine/ds/config"
)

// constructor builds one transport from the call-home configuration.
type constructor func(ch *config.CallHome, opts Options) (Transport, error)

// entry is one row of the table of transports.
type entry struct {
	name  string
	build constructor
}

// table lists the transports, by the name "destination transport-method"
// gives them, in the order New returns them.
func table() []entry {
	return []entry{
		{NameEmail, func(ch *config.CallHome, opts Options) (Transport, error) { return NewEmail(ch, opts) }},
		{NameHTTP, func(ch *config.CallHome, opts Options) (Transport, error) { return NewHTTP(ch, opts) }},
	}
}

// Names returns the transport names, "email" then "http".
func Names() []string {
	t := table()
	names := make([]string, len(t))
	for i, t := range t {
		names[i] = t.name
	}
	return names
}

// New builds every transport from the call-home configuration: email,
// then http.
func New(ch *config.CallHome, opts Options) ([]Transport, error) {
	out := make([]Transport, 0, 2)
	for _, t := range table() {
		tr, err := t.build(ch, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, tr)
	}
	return out, nil
}
