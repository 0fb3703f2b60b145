package vars

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
)

func sample() *ds.Signature {
	return &ds.Signature{
		ID: "6030", Name: "ActCH", Revision: "1.1",
		Variables: []ds.Variable{
			{Name: "ds_env1", Source: ds.SourceEnvironment},
			{Name: "ds_intf", Source: ds.SourcePrompt, Default: "Gi0/0/1"},
			{Name: "ds_uptime", Source: ds.SourceRegex, Command: "show version", Pattern: "uptime is (.*)"},
		},
	}
}

func TestUnresolved(t *testing.T) {
	sig := sample()
	missing := Unresolved(sig, Known{})
	if len(missing) != 2 || missing[0].Name != "ds_env1" || missing[1].Name != "ds_intf" {
		t.Fatalf("Unresolved = %v, want ds_env1 and ds_intf", missing)
	}
	if !strings.Contains(missing[1].String(), "install 6030 --set ds_intf=VALUE") {
		t.Errorf("prompt hint does not say how to answer: %s", missing[1])
	}
	k := Known{Environment: map[string]string{"ds_env1": "abc"}, Prompts: map[string]string{"ds_intf": "Gi1/0/5"}}
	if m := Unresolved(sig, k); len(m) != 0 {
		t.Errorf("all set, still unresolved: %v", m)
	}
}

func TestSubstitute(t *testing.T) {
	sig := sample()
	now := time.Date(2026, 11, 23, 15, 4, 5, 0, time.UTC)
	vals := Values(sig, Known{Hostname: "edge-1", Environment: map[string]string{"ds_env1": "abc"}, Now: now})
	got, missing := Substitute("${ds_hostname}: DS ${ds_signature_id} ${ds_env1} ${ds_intf} at ${ds_timestamp}", vals)
	want := "edge-1: DS 6030 abc ${ds_intf} at 2026-11-23 15:04:05"
	if got != want {
		t.Errorf("Substitute = %q, want %q", got, want)
	}
	if !reflect.DeepEqual(missing, []string{"ds_intf"}) {
		t.Errorf("missing = %v", missing)
	}
	if got, _ := Substitute("no refs ${ unterminated", vals); got != "no refs ${ unterminated" {
		t.Errorf("unterminated reference changed: %q", got)
	}
}
