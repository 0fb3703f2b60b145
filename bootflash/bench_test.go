package bootflash

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// benchDSes builds n DSes of about 1.5 KiB.
func benchDSes(n int) (xmls, ascs [][]byte) {
	for i := 1; i <= n; i++ {
		xml, asc := makeDS(strconv.Itoa(i), "1.0", 1500)
		xmls, ascs = append(xmls, xml), append(ascs, asc)
	}
	return xmls, ascs
}

// BenchmarkPut1000 stores 1,000 DSes one Put at a time into a new store;
// every Put is fully durable (six fsyncs and a rewrite of state.json, in
// which only the new entry is encoded).
func BenchmarkPut1000(b *testing.B) {
	xmls, ascs := benchDSes(1000)
	base := b.TempDir()
	n := 0
	for b.Loop() {
		n++
		s := mustOpen(b, filepath.Join(base, strconv.Itoa(n)), testOptions())
		for i := range xmls {
			if err := s.Put(strconv.Itoa(i+1), xmls[i], ascs[i], nil); err != nil {
				b.Fatal(err)
			}
		}
		s.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(n), "ms/1000")
}

// BenchmarkOpen1000 opens a store of 1,000 DSes: lock, load state.json,
// read and check every DS (with the cheap SHA-256 test Check).
func BenchmarkOpen1000(b *testing.B) {
	root := b.TempDir()
	xmls, ascs := benchDSes(1000)
	dir := filepath.Join(root, Dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	for i := range xmls {
		id := strconv.Itoa(i + 1)
		os.WriteFile(filepath.Join(dir, id+xmlSuffix), xmls[i], 0o600)
		os.WriteFile(filepath.Join(dir, id+ascSuffix), ascs[i], 0o600)
	}
	s := mustOpen(b, root, testOptions()) // adopts them and writes state.json
	if got := len(s.List()); got != 1000 {
		b.Fatalf("%d DSes", got)
	}
	s.Close()
	n := 0
	for b.Loop() {
		n++
		s := mustOpen(b, root, testOptions())
		if w := s.Warnings(); len(w) != 0 {
			b.Fatal(fmt.Sprint(w))
		}
		s.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(n), "ms/1000")
}

// BenchmarkPutBatch1000 stores 1,000 DSes with one PutBatch into a new
// store: one journal, one state.json, a constant number of syncs.
func BenchmarkPutBatch1000(b *testing.B) {
	xmls, ascs := benchDSes(1000)
	items := make([]PutItem, len(xmls))
	for i := range items {
		items[i] = PutItem{ID: strconv.Itoa(i + 1), XML: xmls[i], ASC: ascs[i]}
	}
	base := b.TempDir()
	n := 0
	for b.Loop() {
		n++
		s := mustOpen(b, filepath.Join(base, strconv.Itoa(n)), testOptions())
		if err := s.PutBatch(items); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(n), "ms/1000")
}
