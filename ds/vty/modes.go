package vty

import (
	"errors"
	"fmt"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

// Path is the configuration sub-modes below global configuration,
// outermost first, each the line that entered it; nil is global
// configuration mode.
type Path []string

// Candidate is one next word offered by `?` or Tab, and its help.
// "<cr>" means the line is complete.
type Candidate struct {
	Word string `json:"word"`
	Help string `json:"help,omitempty"`
}

// InputError is a line a mode refuses. Col is the byte offset in the line
// of the word refused, -1 when unknown.
type InputError struct {
	Col int
	Msg string
}

func (e *InputError) Error() string {
	if e.Col < 0 {
		return e.Msg
	}
	return fmt.Sprintf("column %d: %s", e.Col+1, e.Msg)
}

// Modes is the configuration's mode grammar (ds/parse/iosconfig): how a
// line changes a configuration, the prompts, the help, and the running
// configuration as text. The daemon builds one; tests use small ones.
type Modes struct {
	// Apply returns cfg with line applied in mode path (cfg is not
	// changed) and the mode after it; a refused line is an *InputError.
	Apply func(cfg *config.Config, path Path, line string) (*config.Config, Path, error)
	// Prompt is the mode's prompt word: "config", "config-applet", ...
	Prompt func(path Path) string
	// Help lists the words that may follow typed in mode path.
	Help func(path Path, typed string) []Candidate
	// Format is the running configuration as `show running-config`
	// prints it, without its header and "end".
	Format func(cfg *config.Config) []byte
}

// IOS is the mode grammar of ds/parse/iosconfig: the one command table
// the configuration file, the vty's lines, `?` and Tab all read.
func IOS() Modes {
	return Modes{
		Apply: func(cfg *config.Config, path Path, line string) (*config.Config, Path, error) {
			next, after, err := iosconfig.Apply(cfg, iosconfig.Path(path), line)
			if err != nil {
				var e *iosconfig.Error
				if errors.As(err, &e) {
					return cfg, path, &InputError{Col: e.Col, Msg: e.Msg}
				}
				return cfg, path, &InputError{Col: -1, Msg: err.Error()}
			}
			return next, Path(after), nil
		},
		Prompt: func(path Path) string { return iosconfig.Prompt(iosconfig.Path(path)) },
		Help: func(path Path, typed string) []Candidate {
			cs := iosconfig.Help(iosconfig.Path(path), typed)
			out := make([]Candidate, len(cs))
			for i, c := range cs {
				out[i] = Candidate{Word: c.Word, Help: c.Help}
			}
			return out
		},
		Format: iosconfig.Format,
	}
}
