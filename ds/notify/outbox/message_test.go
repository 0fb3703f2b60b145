package outbox

import (
	"testing"

	"github.com/dsengine/dsengine/ds/config"
)

func TestTypeOf(t *testing.T) {
	for in, want := range map[string]MessageType{
		"syslog": TypeSyslog, "configuration": TypeConfig, "inventory": TypeInventory,
		"diagnostic-signature": TypeDS, "test": TypeTest, "custom": "custom",
	} {
		if got := TypeOf(in); got != want {
			t.Errorf("TypeOf(%q) = %q, want %q", in, got, want)
		}
	}
	for _, g := range config.AlertGroups() {
		if TypeOf(string(g)) == MessageType(g) {
			t.Errorf("alert group %s has no row", g)
		}
	}
}

func TestDestinations(t *testing.T) {
	p := config.NewProfile("user1", 0)
	p.EmailAddresses = []string{"noc@example.com"}
	p.TransportHTTP = true
	p.HTTPAddresses = []string{"https://c.example.com/ch"}
	to := Destinations(p)
	if len(to) != 2 || to["email"][0] != "noc@example.com" || to["http"][0] != "https://c.example.com/ch" {
		t.Errorf("%v", to)
	}
	p.TransportEmail = false
	if to := Destinations(p); len(to) != 1 || to["email"] != nil {
		t.Errorf("email disabled: %v", to)
	}
}
