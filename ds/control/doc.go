// Package control carries CLI commands to the running daemon over its
// local Unix socket and their output back: one JSON request and one JSON
// response per connection.
//
// Both ends check who is at the other (SO_PEERCRED) before anything is
// read or sent. The daemon takes commands from its own user and root, and
// refuses, counts and logs anyone else. The CLI sends only to a daemon run
// by root or by the user who owns both the socket and its directory: a
// socket planted in a shared directory by another user gets nothing.
//
// The socket is made mode 0600 in a private directory and renamed into
// place, so it is never reachable with a wider mode and a symlink at its
// path is replaced, never followed. A directory others can write is
// refused, unless it is sticky and the daemon's own.
//
// A client keeps its end open until the answer: closing it (Ctrl-C)
// cancels the request's context, and the command stops.
package control
