package lifecycle

import (
	"fmt"
	"testing"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
)

// benchDS is a realistic DS of about 1.3 KiB.
func benchDS(id int) []byte {
	return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<DiagnosticSignature id="%d" revision="1.%d">
  <Name>Bench%d</Name>
  <Description>Collects interface state when a link on slot %d flaps, for the benchmark.</Description>
  <Variables>
    <Variable name="ds_uptime" source="regex" command="show version" pattern="uptime is (.*)"/>
  </Variables>
  <Events>
    <Event id="e1" type="syslog" pattern="%%LINK-3-UPDOWN: Interface GigabitEthernet%d/0/(\d+), changed state to down" occurs="3" period="60s"/>
    <Event id="e2" type="oir" slot="%d" action="remove"/>
    <Correlate window="120s">e1 and e2</Correlate>
  </Events>
  <Actions>
    <Action type="command">show interfaces GigabitEthernet%d/0/${ds_syslog_1}</Action>
    <Action type="command">show logging | include LINK</Action>
    <Action type="call-home"/>
    <Action type="message" to="syslog" severity="notice">DS ${ds_signature_id} ran, uptime ${ds_uptime}</Action>
  </Actions>
</DiagnosticSignature>
`, id, id%10, id, id%8, id%8, id%8, id%8))
}

// benchFiles writes 1,000 signed DS files and returns their paths.
func benchFiles(b *testing.B, p publisher) []string {
	dir := b.TempDir()
	paths := make([]string, 1000)
	for i := range paths {
		paths[i] = p.file(b, dir, fmt.Sprint(10000+i), benchDS(10000+i))
	}
	return paths
}

// BenchmarkInstall1000 installs 1,000 signed DS files (verify, parse, one
// atomic PutBatch) into an empty store with InstallFiles, Ed25519 key.
func BenchmarkInstall1000(b *testing.B) {
	p := newPublisher(b)
	paths := benchFiles(b, p)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		root := b.TempDir()
		_, mgr := openManager(b, root, p, nil, linux)
		b.StartTimer()
		res, err := mgr.InstallFiles(paths, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(res) != len(paths) || res[0].Status != ds.StatusRegistered {
			b.Fatalf("%d results, first %+v", len(res), res[0])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/1000DS")
}

// BenchmarkInstall1000OneByOne installs the same 1,000 files one
// InstallFile at a time: each is its own atomic, fully synced write.
func BenchmarkInstall1000OneByOne(b *testing.B) {
	p := newPublisher(b)
	paths := benchFiles(b, p)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		root := b.TempDir()
		_, mgr := openManager(b, root, p, nil, linux)
		b.StartTimer()
		for _, path := range paths {
			if _, err := mgr.InstallFile(path, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/1000DS")
}

// BenchmarkOpen1000 opens a store of 1,000 DS, re-verifying and re-parsing
// every one, Ed25519 key.
func BenchmarkOpen1000(b *testing.B) {
	p := newPublisher(b)
	root := b.TempDir()
	store, mgr := openManager(b, root, p, nil, linux)
	if _, err := mgr.InstallFiles(benchFiles(b, p), nil, nil); err != nil {
		b.Fatal(err)
	}
	store.Close()
	now := func() time.Time { return testNow }
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		s, err := bootflash.Open(root, bootflash.Options{Check: Checker(p.keys, now), Now: now})
		if err != nil {
			b.Fatal(err)
		}
		if got := len(s.List()); got != 1000 {
			b.Fatalf("opened %d DS", got)
		}
		if w := s.Warnings(); len(w) != 0 {
			b.Fatal(w)
		}
		s.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/1000DS")
}
