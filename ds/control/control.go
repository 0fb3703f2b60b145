package control

import "errors"

// Limits on what crosses the socket. A request carries the files its
// command names (a DS file of at most 1 MiB and its signature, base64 in
// JSON).
const (
	MaxRequest  = 4 << 20
	MaxResponse = 64 << 20
)

// Request is one CLI command: its words and arguments, as typed, and the
// files it names, read by the CLI.
type Request struct {
	Args  []string `json:"args"`
	Files []File   `json:"files,omitempty"`
	// Session, when set, opens an interactive session of that kind
	// ("vty") instead of running Args: the connection stays open and
	// carries Frames both ways.
	Session string `json:"session,omitempty"`
}

// File is a file the CLI read for a command and sends with it, so that the
// daemon never opens a path a user named: it would resolve a relative path
// against its own directory, and could block on a named pipe or a device
// while it holds the command lock. Path is as the user typed it.
type File struct {
	Path string `json:"path"`
	Data []byte `json:"data"`
}

// Response is what the command printed and its exit code.
type Response struct {
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	Code   int    `json:"code"`
}

// ErrNoDaemon means no daemon answers on the socket: the CLI then acts on
// the bootflash directly.
var ErrNoDaemon = errors.New("no daemon is running")

// ErrUntrustedPeer means the process answering on the socket is neither
// root nor the user who owns the socket and its directory: Call sent it
// nothing.
var ErrUntrustedPeer = errors.New("not a dsengine daemon of the expected user")

// ErrClientGone is the cause of a request's context when its client
// closed the connection before the answer (Ctrl-C): the daemon stops the
// command.
var ErrClientGone = errors.New("the client closed the connection")

var errGone = errors.New("the daemon did not answer (it may be restarting; try again)")
