package registry

import (
	"fmt"
	"testing"
)

// manySigs are n one-pattern syslog DS, each with a literal of its own.
func manySigs(b *testing.B, n int) []Want {
	want := make([]Want, n)
	for i := range want {
		want[i] = Want{Sig: sig(b, fmt.Sprintf(`<DiagnosticSignature id="%d" revision="1.0"><Name>D%d</Name>
  <Events><Event type="syslog" pattern="%%LINK-3-UPDOWN: Interface Gi1/0/%d, changed state to down"/></Events>
  <Actions><Action type="message">down</Action></Actions>
</DiagnosticSignature>`, 10000+i, i, i))}
	}
	return want
}

// BenchmarkSyncAndClose: n DS registered in one Sync and all removed by
// Close, as a daemon starts and stops and as `ds test` begins and ends.
func BenchmarkSyncAndClose(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("ds=%d", n), func(b *testing.B) {
			want := manySigs(b, n)
			b.ReportAllocs()
			for b.Loop() {
				f := newFixture(b)
				if failed := f.reg.Sync(want); len(failed) > 0 {
					b.Fatal(failed)
				}
				f.reg.Close()
			}
		})
	}
}

// BenchmarkSyncOneChange: one DS of n replaced (a new revision installed),
// the others kept.
func BenchmarkSyncOneChange(b *testing.B) {
	const n = 10000
	want := manySigs(b, n)
	f := newFixture(b)
	if failed := f.reg.Sync(want); len(failed) > 0 {
		b.Fatal(failed)
	}
	other := manySigs(b, 1)[0]
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		next := append([]Want(nil), want...)
		if i%2 == 1 {
			next[0] = other // same id, another revision
		}
		if failed := f.reg.Sync(next); len(failed) > 0 {
			b.Fatal(failed)
		}
	}
	f.reg.Close()
}
