package vty

import (
	"context"
	"strings"
	"testing"
)

// FuzzLine types the lines of data into a session, and asks for `?` and
// Tab on each: a vty never panics on what a person or a script types, and
// every answer ends with a prompt of a mode the session is in.
func FuzzLine(f *testing.F) {
	f.Add("conf t\ncall-home\n rate-limit 30\nexit\nevent manager applet X\nevent none\naction 1 puts \"x\nend\nsh run")
	f.Add("disable\nconfigure terminal\nenable\nshow ?\ndo show call-home\nwrite memory\ncopy running-config startup-config")
	f.Add("\"\n?\n  \t\nno\nno no\nevent manager run X a b\nexit\nexit")
	f.Fuzz(func(t *testing.T, data string) {
		h := newHost(t)
		s := newSession(h, false)
		ctx := context.Background()
		for _, line := range strings.Split(data, "\n") {
			s.Help(line)
			s.Complete(line)
			res := s.Line(ctx, line)
			if res.Exit {
				return
			}
			if p := s.Prompt(); !strings.HasPrefix(p, "edge-1") || !strings.HasSuffix(p, "#") && !strings.HasSuffix(p, ">") {
				t.Fatalf("%q: prompt %q", line, p)
			}
		}
	})
}
