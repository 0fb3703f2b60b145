package bootflash

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOutbox(t *testing.T) {
	root := t.TempDir()
	s := mustOpen(t, root, testOptions())
	// Stored in this order; names sort differently on purpose.
	order := []string{"zeta-6030", "alpha-6015", "mid-6030"}
	for _, name := range order {
		if err := s.OutboxPut(name, []byte("<aml-block>"+name+"</aml-block>")); err != nil {
			t.Fatal(err)
		}
	}
	names, err := s.OutboxList()
	if err != nil || strings.Join(names, " ") != strings.Join(order, " ") {
		t.Errorf("OutboxList = %v, %v; want %v", names, err, order)
	}
	data, err := s.OutboxGet("alpha-6015")
	if err != nil || string(data) != "<aml-block>alpha-6015</aml-block>" {
		t.Errorf("OutboxGet = %q, %v", data, err)
	}
	if err := s.OutboxRemove("zeta-6030"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OutboxGet("zeta-6030"); !errors.Is(err, ErrNotFound) {
		t.Errorf("OutboxGet after remove: %v", err)
	}
	if err := s.OutboxRemove("zeta-6030"); !errors.Is(err, ErrNotFound) {
		t.Errorf("OutboxRemove twice: %v", err)
	}
	for _, bad := range []string{"", "../state.json", "a/b", `a\b`, ".hidden", "nul\x00"} {
		if err := s.OutboxPut(bad, []byte("x")); err == nil {
			t.Errorf("OutboxPut(%q) accepted", bad)
		}
		if _, err := s.OutboxGet(bad); err == nil {
			t.Errorf("OutboxGet(%q) accepted", bad)
		}
	}
	if err := s.OutboxPut("big", make([]byte, MaxOutboxMessageSize+1)); err == nil {
		t.Error("OutboxPut accepted an oversized message")
	}
	if l := leftovers(t, root); len(l) != 0 {
		t.Errorf("temporary files left: %v", l)
	}
	s.Close()

	// Survives a reopen, in the same order; stray files are not messages.
	os.WriteFile(filepath.Join(root, Dir, OutboxDir, ".x.tmp-1"), nil, 0o600)
	s = mustOpen(t, root, testOptions())
	defer s.Close()
	names, err = s.OutboxList()
	if err != nil || strings.Join(names, " ") != "alpha-6015 mid-6030" {
		t.Errorf("after reopen OutboxList = %v, %v", names, err)
	}
}
