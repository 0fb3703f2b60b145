// Package control carries CLI commands to the running daemon over its
// local Unix socket (mode 0600) and their output back: one JSON request
// and one JSON response per connection.
package control
