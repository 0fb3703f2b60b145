package main

import (
	"testing"
)

// TestStoreDirectory: runtime state never lands in the working directory
// (run from the repository root, ./bootflash is the Go package).
func TestStoreDirectory(t *testing.T) {
	tests := []struct {
		name     string
		flag     string
		vars     map[string]string
		uid      int
		want     string
		wantDemo string
	}{
		{name: "root", uid: 0, vars: map[string]string{"HOME": "/root"},
			want: "/var/lib/dsengine", wantDemo: "/root/.local/state/dsengine/demo"},
		{name: "user", uid: 1000, vars: map[string]string{"HOME": "/home/ann"},
			want: "/home/ann/.local/state/dsengine", wantDemo: "/home/ann/.local/state/dsengine/demo"},
		{name: "XDG_STATE_HOME", uid: 1000, vars: map[string]string{"HOME": "/home/ann", "XDG_STATE_HOME": "/srv/state"},
			want: "/srv/state/dsengine", wantDemo: "/srv/state/dsengine/demo"},
		{name: "relative XDG_STATE_HOME is ignored", uid: 1000, vars: map[string]string{"HOME": "/home/ann", "XDG_STATE_HOME": "state"},
			want: "/home/ann/.local/state/dsengine", wantDemo: "/home/ann/.local/state/dsengine/demo"},
		{name: "environment", uid: 0, vars: map[string]string{"DSENGINE_BOOTFLASH": "/data/bf"},
			want: "/data/bf", wantDemo: "/data/bf"},
		{name: "flag", flag: "/flag/bf", uid: 1000, vars: map[string]string{"DSENGINE_BOOTFLASH": "/data/bf"},
			want: "/flag/bf", wantDemo: "/flag/bf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &env{bootflash: tt.flag, uid: tt.uid, getenv: func(k string) string { return tt.vars[k] }}
			if got := e.bootflashDir(); got != tt.want {
				t.Errorf("store = %q, want %q", got, tt.want)
			}
			if got := e.demoBootflash(); got != tt.wantDemo {
				t.Errorf("demo store = %q, want %q", got, tt.wantDemo)
			}
		})
	}
}
