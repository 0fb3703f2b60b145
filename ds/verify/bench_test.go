package verify

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkVerify1000 verifies 1,000 different DS files of about 2 KiB each,
// as a restart re-verifying a full bootflash does, against a keyring parsed
// once. It reports milliseconds per 1,000 verifications.
func BenchmarkVerify1000(b *testing.B) {
	for _, algo := range []string{"ed25519", "rsa3072"} {
		b.Run(algo, func(b *testing.B) {
			var k testKey
			if algo == "rsa3072" {
				k = sharedRSA(b)
			} else {
				k = genKey(b, "Bench", algo, t0, 0)
			}
			ring := mustKeyring(b, k.pub)
			signedAt := t0.Add(time.Hour)
			now := signedAt.Add(time.Hour)
			const n = 1000
			files, sigs := make([][]byte, n), make([][]byte, n)
			for i := range n {
				files[i] = dsFile(6000 + i)
				sigs[i] = mustSign(b, k, files[i], signedAt)
			}
			b.SetBytes(int64(len(files[0])) * n)
			b.ResetTimer()
			for b.Loop() {
				for i := range n {
					if _, err := ring.VerifyDetached(fmt.Sprint(6000+i, ".xml"), files[i], sigs[i], now); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/1000")
		})
	}
}

// BenchmarkParseKeyring measures loading one trusted key: done once at start
// and on reload, never per verification.
func BenchmarkParseKeyring(b *testing.B) {
	k := genKey(b, "Bench", "ed25519", t0, 0)
	for b.Loop() {
		if _, err := ParseKeyring("k.asc", k.pub); err != nil {
			b.Fatal(err)
		}
	}
}
