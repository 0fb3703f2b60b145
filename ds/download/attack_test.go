package download_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/download"
	"github.com/dsengine/dsengine/ds/repo"
	"github.com/dsengine/dsengine/ds/repo/repotest"
	"github.com/dsengine/dsengine/ds/verify"
)

// Each test here is an attack by a repository, a mirror or the network.
// The DS the device has are those of its earlier Install calls; every
// refused DS must never reach Install.

// readIndex parses the repository's current index.
func (e *env) readIndex() *verify.Index {
	e.t.Helper()
	data, err := os.ReadFile(filepath.Join(e.dir, "index.xml"))
	if err != nil {
		e.t.Fatal(err)
	}
	ix, err := verify.ParseIndex("index.xml", data)
	if err != nil {
		e.t.Fatal(err)
	}
	return ix
}

// signIndex writes index bytes and their signature by key.
func (e *env) signIndex(key *repotest.Key, data []byte) {
	e.t.Helper()
	e.writeRepoFile("index.xml", data)
	e.writeRepoFile("index.xml.asc", key.Sign(e.t, data, e.now.Add(-time.Minute)))
}

// writeIndex marshals ix and signs it with the env's key.
func (e *env) writeIndex(ix *verify.Index) {
	e.t.Helper()
	data, err := ix.Marshal()
	if err != nil {
		e.t.Fatal(err)
	}
	e.signIndex(e.key, data)
}

// onlyInstalled asserts exactly these DS (id@revision) were installed.
func (e *env) onlyInstalled(want ...string) {
	e.t.Helper()
	got, _ := e.installed()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		e.t.Fatalf("installed %v, want %v", got, want)
	}
}

// threeDS is a built repository of 6015, 6030 and 6040 at 1.0.
func threeDS(t *testing.T) *env {
	e := newEnv(t)
	e.add("1.0", "6015", "6030", "6040")
	e.build(repo.BuildOptions{})
	return e
}

// download runs one regular download against h over TLS.
func (e *env) download(h http.Handler, mod func(*download.Options)) (*download.Result, error) {
	e.t.Helper()
	url, ca := tlsServer(e.t, h)
	opts := e.options(url, ca)
	if mod != nil {
		mod(&opts)
	}
	return e.client(opts).Download(context.Background(), download.Request{})
}

func TestExpiredIndexRefused(t *testing.T) {
	e := threeDS(t)
	ix := e.readIndex()
	ix.Version++
	ix.Expires = e.now.Add(-time.Minute)
	e.writeIndex(ix)
	cnt := &counting{h: fileServer(e.dir)}
	_, err := e.download(cnt, nil)
	if !errors.Is(err, verify.ErrIndexExpired) || !strings.Contains(err.Error(), "repo build") {
		t.Fatalf("err = %v", err)
	}
	if cnt.dsFetches() != 0 {
		t.Fatal("DS fetched from an expired index")
	}
	e.onlyInstalled()
}

func TestUntrustedIndexKeyRefused(t *testing.T) {
	e := threeDS(t)
	mallory := repotest.NewKey(t, "Mallory", e.now.Add(-48*time.Hour))
	data, _ := os.ReadFile(filepath.Join(e.dir, "index.xml"))
	e.signIndex(mallory, data)
	cnt := &counting{h: fileServer(e.dir)}
	_, err := e.download(cnt, nil)
	if !errors.Is(err, verify.ErrUntrustedKey) {
		t.Fatalf("err = %v", err)
	}
	if cnt.dsFetches() != 0 {
		t.Fatal("DS fetched from an untrusted index")
	}
	e.onlyInstalled()
}

// Mix-and-match: the server swaps in other bytes for one DS, of the same
// size (hash mismatch) or shorter (size mismatch). That DS fails; the
// others are installed.
func TestHashAndSizeMismatch(t *testing.T) {
	cases := []struct {
		name string
		body func(orig []byte) []byte
		want string
	}{
		{"hash", func(orig []byte) []byte { return bytes.Replace(orig, []byte("test DS"), []byte("evil DS"), 1) }, "SHA-256"},
		{"size", func(orig []byte) []byte { return orig[:len(orig)-10] }, "bytes, the index lists"},
		// Another genuine, signed DS file: still not what the index lists.
		{"other signed file", func([]byte) []byte { return repotest.DSXML("6030", "1.0", "older build") }, "the index lists"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := threeDS(t)
			p := filepath.Join(e.dir, "ds", "6030-1.0.xml")
			orig, _ := os.ReadFile(p)
			e.writeRepoFile("ds/6030-1.0.xml", c.body(orig))
			res, err := e.download(fileServer(e.dir), nil)
			if !errors.Is(err, verify.ErrMismatch) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "DS 6030") {
				t.Fatalf("err = %v", err)
			}
			if res.Fetched != 2 || res.Failed != 1 {
				t.Fatalf("%s", res)
			}
			e.onlyInstalled("6015@1.0", "6040@1.0")
		})
	}
}

// Endless data: a DS body longer than the index says, announced by
// Content-Length or streamed without one, is cut at the listed size and
// refused; so is an endless index or signature, at their hard caps.
func TestEndlessData(t *testing.T) {
	endless := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		chunk := bytes.Repeat([]byte("<x/>"), 8192)
		for range 4096 { // 128 MiB at most, should the client not stop
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
	t.Run("announced", func(t *testing.T) {
		e := threeDS(t)
		orig, _ := os.ReadFile(filepath.Join(e.dir, "ds", "6030-1.0.xml"))
		e.writeRepoFile("ds/6030-1.0.xml", append(orig, bytes.Repeat([]byte(" "), 1<<20)...))
		res, err := e.download(fileServer(e.dir), nil)
		if !errors.Is(err, verify.ErrMismatch) || !strings.Contains(err.Error(), "announces") {
			t.Fatalf("err = %v", err)
		}
		if r, _ := res.Get("6030"); r.Bytes > 0 {
			t.Fatalf("read %d bytes of a body announced too long", r.Bytes)
		}
		e.onlyInstalled("6015@1.0", "6040@1.0")
	})
	t.Run("streamed DS", func(t *testing.T) {
		e := threeDS(t)
		files := fileServer(e.dir)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/ds/6030-1.0.xml" {
				endless(w, r)
				return
			}
			files.ServeHTTP(w, r)
		})
		res, err := e.download(h, nil)
		if !errors.Is(err, verify.ErrMismatch) || !strings.Contains(err.Error(), "endless") {
			t.Fatalf("err = %v", err)
		}
		entry, _ := e.readIndex().Entry("6030")
		if r, _ := res.Get("6030"); r.Bytes > entry.Size+1 {
			t.Fatalf("read %d bytes for a DS of %d", r.Bytes, entry.Size)
		}
		e.onlyInstalled("6015@1.0", "6040@1.0")
	})
	t.Run("streamed signature", func(t *testing.T) {
		e := threeDS(t)
		files := fileServer(e.dir)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/ds/6040-1.0.xml.asc" {
				endless(w, r)
				return
			}
			files.ServeHTTP(w, r)
		})
		_, err := e.download(h, nil)
		if !errors.Is(err, verify.ErrMalformedSignature) || !strings.Contains(err.Error(), "endless") {
			t.Fatalf("err = %v", err)
		}
		e.onlyInstalled("6015@1.0", "6030@1.0")
	})
	t.Run("streamed index", func(t *testing.T) {
		e := threeDS(t)
		res, err := e.download(http.HandlerFunc(endless), nil)
		if !errors.Is(err, verify.ErrMalformedIndex) || !strings.Contains(err.Error(), "endless") {
			t.Fatalf("err = %v", err)
		}
		if res.Bytes > verify.MaxIndexSize+1 {
			t.Fatalf("read %d bytes of an endless index", res.Bytes)
		}
		e.onlyInstalled()
	})
	t.Run("index lists a size over the hard cap", func(t *testing.T) {
		e := threeDS(t)
		entry, _ := e.readIndex().Entry("6030")
		data, _ := os.ReadFile(filepath.Join(e.dir, "index.xml"))
		data = bytes.Replace(data, fmt.Appendf(nil, `size="%d"`, entry.Size), fmt.Appendf(nil, `size="%d"`, verify.MaxIndexedFileSize+1), 1)
		data = bytes.Replace(data, []byte(`version="1"`), []byte(`version="2"`), 1)
		e.signIndex(e.key, data)
		cnt := &counting{h: fileServer(e.dir)}
		_, err := e.download(cnt, nil)
		if !errors.Is(err, verify.ErrMalformedIndex) || !strings.Contains(err.Error(), "size") {
			t.Fatalf("err = %v", err)
		}
		if cnt.dsFetches() != 0 {
			t.Fatal("DS fetched")
		}
		e.onlyInstalled()
	})
}

// The index lists a DS under an id or revision its signed file does not
// hold (a genuine file, hash and size matching, moved under another
// name): refused after parsing.
func TestDSIdentityDiffersFromIndex(t *testing.T) {
	for _, c := range []struct{ name, id, rev, want string }{
		{"id", "6031", "1.0", "holds DS 6030 revision 1.0, the index lists DS 6031 revision 1.0"},
		{"revision", "6030", "2.0", "holds DS 6030 revision 1.0, the index lists DS 6030 revision 2.0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := threeDS(t)
			xml, _ := os.ReadFile(filepath.Join(e.dir, "ds", "6030-1.0.xml"))
			asc, _ := os.ReadFile(filepath.Join(e.dir, "ds", "6030-1.0.xml.asc"))
			entry := verify.NewIndexEntry(c.id, ds.Revision(c.rev), xml)
			e.writeRepoFile(entry.Path, xml)
			e.writeRepoFile(entry.Path+".asc", asc)
			ix := e.readIndex()
			ix.Version++
			for i := range ix.DS {
				if ix.DS[i].ID == "6030" {
					ix.DS = append(ix.DS[:i], ix.DS[i+1:]...)
					break
				}
			}
			ix.DS = append(ix.DS, entry)
			e.writeIndex(ix)
			_, err := e.download(fileServer(e.dir), nil)
			if !errors.Is(err, verify.ErrMismatch) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v", err)
			}
			e.onlyInstalled("6015@1.0", "6040@1.0")
		})
	}
}

// A DS whose own signature is missing, by an untrusted key, or that of
// another file: that DS is refused, the others are installed.
func TestDSSignatureRefused(t *testing.T) {
	cases := []struct {
		name string
		asc  func(e *env) []byte // nil: the .asc is removed
		kind error
	}{
		{"missing", nil, verify.ErrNoSignature},
		{"untrusted key", func(e *env) []byte {
			mallory := repotest.NewKey(t, "Mallory", e.now.Add(-48*time.Hour))
			xml, _ := os.ReadFile(filepath.Join(e.dir, "ds", "6030-1.0.xml"))
			return mallory.Sign(t, xml, e.now.Add(-time.Minute))
		}, verify.ErrUntrustedKey},
		{"another file's", func(e *env) []byte {
			asc, _ := os.ReadFile(filepath.Join(e.dir, "ds", "6015-1.0.xml.asc"))
			return asc
		}, verify.ErrBadSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := threeDS(t)
			p := filepath.Join(e.dir, "ds", "6030-1.0.xml.asc")
			if c.asc == nil {
				os.Remove(p)
			} else {
				e.writeRepoFile("ds/6030-1.0.xml.asc", c.asc(e))
			}
			res, err := e.download(fileServer(e.dir), nil)
			if !errors.Is(err, c.kind) || res.Failed != 1 {
				t.Fatalf("err = %v, %s", err, res)
			}
			e.onlyInstalled("6015@1.0", "6040@1.0")
		})
	}
}
