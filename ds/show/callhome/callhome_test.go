package callhome

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify/outbox"
	"github.com/dsengine/dsengine/ds/notify/transport"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
	"github.com/dsengine/dsengine/internal/golden"
)

// configs are the configurations every output is checked with: the SPEC §5
// example, the default (CiscoTAC-1 only) and one using every setting.
func configs(t *testing.T) map[string]*config.Config {
	t.Helper()
	m := map[string]*config.Config{"default": config.Default()}
	for _, name := range []string{"spec", "full"} {
		file := "testdata/" + name + ".conf"
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := iosconfig.Parse(file, data)
		if err != nil {
			t.Fatal(err)
		}
		m[name] = cfg
	}
	return m
}

func TestGolden(t *testing.T) {
	outputs := map[string]func(*bytes.Buffer, *config.Config){
		"summary":     func(b *bytes.Buffer, c *config.Config) { Summary(b, c) },
		"detail":      func(b *bytes.Buffer, c *config.Config) { Detail(b, c) },
		"alert-group": func(b *bytes.Buffer, c *config.Config) { AlertGroups(b, c) },
		"profile-all": func(b *bytes.Buffer, c *config.Config) { Profiles(b, c) },
	}
	for name, cfg := range configs(t) {
		for out, f := range outputs {
			t.Run(name+"/"+out, func(t *testing.T) {
				var b bytes.Buffer
				f(&b, cfg)
				golden.Check(t, "testdata/"+name+"-"+out+".golden", b.Bytes())
			})
		}
	}
}

func TestProfileNamed(t *testing.T) {
	cfg := configs(t)["full"]
	for _, name := range []string{"campus-noc", "ciscotac-1", "anon"} {
		var b bytes.Buffer
		p := cfg.Profile(name)
		if p == nil {
			t.Fatalf("no profile %s", name)
		}
		Profile(&b, p)
		golden.Check(t, "testdata/profile-"+name+".golden", b.Bytes())
	}
}

func TestMailServerStatus(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	MailServerStatus(&b, []transport.ServerStatus{
		{Address: "192.168.2.1", Priority: 1, Checked: at, Err: errors.New("connection refused")},
		{Address: "223.255.254.254", Priority: 2, Available: true, Checked: at},
		{Address: "smtp.example.com", Priority: 50},
	})
	golden.Check(t, "testdata/mail-server-status.golden", b.Bytes())

	b.Reset()
	MailServerStatus(&b, nil)
	golden.Check(t, "testdata/mail-server-none.golden", b.Bytes())
}

func TestStatistics(t *testing.T) {
	s := outbox.Statistics{
		Success: outbox.Table{
			outbox.TypeConfig:    {Email: 3},
			outbox.TypeInventory: {Email: 1, HTTP: 1},
			outbox.TypeSyslog:    {HTTP: 12},
			outbox.TypeTest:      {Email: 1},
			outbox.TypeDS:        {Email: 2, HTTP: 2},
		},
		InQueue: outbox.Table{
			outbox.TypeCrash: {HTTP: 1},
			outbox.TypeDS:    {Email: 1},
		},
		Failed: outbox.Table{
			outbox.TypeEnvironment: {Email: 1},
			outbox.TypeSnapshot:    {HTTP: 2},
			outbox.TypeRequest:     {HTTP: 1},
		},
		RatelimitDropped: outbox.Table{
			outbox.TypeSyslog:  {Email: 1234567, HTTP: 1234567},
			outbox.TypeSendCLI: {Email: 1},
		},
		LastSent: time.Date(2011, 9, 26, 23, 26, 50, 0, time.FixedZone("PST", -8*3600)),
	}
	var b bytes.Buffer
	Statistics(&b, s)
	golden.Check(t, "testdata/statistics.golden", b.Bytes())

	// Nothing sent: every count zero and "n/a"; a Diagnostic or unknown
	// type gets a row once something counts it.
	b.Reset()
	Statistics(&b, outbox.Statistics{})
	golden.Check(t, "testdata/statistics-empty.golden", b.Bytes())

	b.Reset()
	Statistics(&b, outbox.Statistics{
		Failed:  outbox.Table{outbox.TypeDiagnostic: {Email: 1}, "Custom-Event-Type": {HTTP: 4}},
		InQueue: outbox.Table{"Zero": {}},
	})
	golden.Check(t, "testdata/statistics-extra.golden", b.Bytes())
}
