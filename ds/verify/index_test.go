package verify

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// sampleIndex is a valid index with two DS and one assignment.
func sampleIndex() *Index {
	return &Index{
		Version: 42,
		Expires: t0.Add(7 * 24 * time.Hour),
		DS: []IndexEntry{
			NewIndexEntry("6030", "1.1", []byte("six thousand thirty")),
			NewIndexEntry("6015", "1.0", []byte("six thousand fifteen")),
		},
		Assign: []Assignment{{Profile: "user1", IDs: []string{"6015"}}},
	}
}

func TestIndexRoundTrip(t *testing.T) {
	ix := sampleIndex()
	data, err := ix.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<DSIndex version="42" expires="2026-03-08T12:00:00Z">`)) {
		t.Fatalf("unexpected encoding:\n%s", data)
	}
	got, err := ParseIndex("index.xml", data)
	if err != nil {
		t.Fatalf("ParseIndex: %v\n%s", err, data)
	}
	if got.Version != 42 || !got.Expires.Equal(ix.Expires) || len(got.DS) != 2 || got.DS[0].ID != "6015" || got.DS[1] != ix.DS[1] {
		t.Fatalf("round trip: %+v", got)
	}
	again, _ := got.Marshal()
	if !bytes.Equal(again, data) {
		t.Fatalf("encoding is not canonical:\n%s\n%s", data, again)
	}
	if a := got.Assigned("USER1"); len(a) != 1 || a[0].ID != "6015" {
		t.Fatalf("Assigned(USER1) = %+v", a)
	}
	if a := got.Assigned("other"); len(a) != 0 {
		t.Fatalf("Assigned(other) = %+v", a)
	}
	got.Assign = nil
	if a := got.Assigned("other"); len(a) != 2 {
		t.Fatalf("no Assign: Assigned(other) = %+v, want every DS", a)
	}
	if _, ok := got.Entry("6030"); !ok {
		t.Fatal("Entry(6030) not found")
	}
}

func TestParseIndexSpecExample(t *testing.T) {
	doc := `<DSIndex version="42" expires="2026-12-01T00:00:00Z">
  <DS id="6030" revision="1.1" sha256="` + strings.Repeat("ab", 32) + `" size="1234" path="ds/6030-1.1.xml"/>
  <DS id="6015" revision="1.0" sha256="` + strings.Repeat("cd", 32) + `" size="99" path="ds/6015-1.0.xml"></DS>
  <Assign profile="user1" ids="6015 6030"/>       <!-- optional; no Assign = every DS for everyone -->
</DSIndex>
`
	ix, err := ParseIndex("index.xml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(ix.DS) != 2 || len(ix.Assign) != 1 || len(ix.Assign[0].IDs) != 2 {
		t.Fatalf("%+v", ix)
	}
}

func TestParseIndexRefuses(t *testing.T) {
	hash := strings.Repeat("0f", 32)
	ds1 := `<DS id="1" revision="1.0" sha256="` + hash + `" size="10" path="ds/1-1.0.xml"/>`
	wrap := func(inner string) string {
		return `<DSIndex version="1" expires="2026-12-01T00:00:00Z">` + inner + `</DSIndex>`
	}
	cases := []struct{ name, doc, want string }{
		{"empty", ``, "no <DSIndex>"},
		{"not xml", `garbage`, "unexpected text"},
		{"wrong root", `<Index/>`, "not <DSIndex>"},
		{"doctype", `<!DOCTYPE x [<!ENTITY a "b">]>` + wrap(ds1), "DOCTYPE"},
		{"unknown entity", wrap(`<DS id="&a;" revision="1" sha256="` + hash + `" size="1" path="x"/>`), "entity"},
		{"two roots", wrap(ds1) + wrap(ds1), "second root"},
		{"trailing text", wrap(ds1) + "x", "unexpected text"},
		{"text inside", wrap("hello" + ds1), "unexpected text"},
		{"no version", `<DSIndex expires="2026-12-01T00:00:00Z"/>`, "lacks the version"},
		{"version zero", `<DSIndex version="0" expires="2026-12-01T00:00:00Z"/>`, "version"},
		{"version sign", `<DSIndex version="+3" expires="2026-12-01T00:00:00Z"/>`, "version"},
		{"version leading zero", `<DSIndex version="03" expires="2026-12-01T00:00:00Z"/>`, "version"},
		{"version overflow", `<DSIndex version="18446744073709551616" expires="2026-12-01T00:00:00Z"/>`, "version"},
		{"bad expires", `<DSIndex version="1" expires="tomorrow"/>`, "RFC 3339"},
		{"unknown root attribute", `<DSIndex version="1" expires="2026-12-01T00:00:00Z" x="1"/>`, "unexpected attribute"},
		{"duplicate attribute", `<DSIndex version="1" version="2" expires="2026-12-01T00:00:00Z"/>`, "attribute"},
		{"namespaced attribute", `<DSIndex xmlns:a="u" a:version="1" version="1" expires="2026-12-01T00:00:00Z"/>`, "unexpected attribute"},
		{"unknown element", wrap(`<Extra/>`), "unexpected element"},
		{"nested element", wrap(`<DS id="1" revision="1.0" sha256="` + hash + `" size="10" path="ds/1-1.0.xml"><x/></DS>`), "must be empty"},
		{"missing sha", wrap(`<DS id="1" revision="1.0" size="10" path="ds/1-1.0.xml"/>`), "lacks the sha256"},
		{"bad id", wrap(`<DS id="01" revision="1.0" sha256="` + hash + `" size="10" path="ds/01-1.0.xml"/>`), "leading zero"},
		{"long id", wrap(`<DS id="12345678901" revision="1.0" sha256="` + hash + `" size="10" path="ds/12345678901-1.0.xml"/>`), "longer"},
		{"bad revision", wrap(`<DS id="1" revision="1.x" sha256="` + hash + `" size="10" path="ds/1-1.x.xml"/>`), "not a number"},
		{"short hash", wrap(`<DS id="1" revision="1.0" sha256="abcd" size="10" path="ds/1-1.0.xml"/>`), "64 lower-case hex"},
		{"upper hash", wrap(`<DS id="1" revision="1.0" sha256="` + strings.ToUpper(strings.Repeat("af", 32)) + `" size="10" path="ds/1-1.0.xml"/>`), "64 lower-case hex"},
		{"zero size", wrap(`<DS id="1" revision="1.0" sha256="` + hash + `" size="0" path="ds/1-1.0.xml"/>`), "size"},
		{"negative size", wrap(`<DS id="1" revision="1.0" sha256="` + hash + `" size="-1" path="ds/1-1.0.xml"/>`), "size"},
		{"huge size", wrap(`<DS id="1" revision="1.0" sha256="` + hash + `" size="1073741824" path="ds/1-1.0.xml"/>`), "size"},
		{"path traversal", wrap(`<DS id="1" revision="1.0" sha256="` + hash + `" size="10" path="../../etc/passwd"/>`), "path"},
		{"path of another DS", wrap(`<DS id="1" revision="1.0" sha256="` + hash + `" size="10" path="ds/2-1.0.xml"/>`), "path"},
		{"duplicate DS", wrap(ds1 + ds1), "twice"},
		{"assign unknown DS", wrap(ds1 + `<Assign profile="p" ids="2"/>`), "not in the index"},
		{"assign profile all", wrap(ds1 + `<Assign profile="ALL" ids="1"/>`), "not a profile"},
		{"assign long profile", wrap(ds1 + `<Assign profile="` + strings.Repeat("p", 32) + `" ids="1"/>`), "longer than 31"},
		{"assign twice", wrap(ds1 + `<Assign profile="p" ids="1"/><Assign profile="P" ids="1"/>`), "assigned twice"},
		{"assign id twice", wrap(ds1 + `<Assign profile="p" ids="1 1"/>`), "listed twice"},
		{"processing instruction", wrap(`<?php x?>` + ds1), "processing instruction"},
		{"unclosed", `<DSIndex version="1" expires="2026-12-01T00:00:00Z">` + ds1, "unexpected EOF"},
		{"oversize", `<DSIndex version="1" expires="2026-12-01T00:00:00Z">` + strings.Repeat(" ", MaxIndexSize), "more than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseIndex("index.xml", []byte(c.doc))
			if err == nil {
				t.Fatalf("accepted:\n%.300s", c.doc)
			}
			if !errors.Is(err, ErrMalformedIndex) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q (kind malformed index: %v), want it to contain %q", err, errors.Is(err, ErrMalformedIndex), c.want)
			}
		})
	}
}

func TestIndexEntryCheck(t *testing.T) {
	data := []byte("the DS file")
	e := NewIndexEntry("6030", "1.1", data)
	if err := e.Check(data); err != nil {
		t.Fatal(err)
	}
	if e.Path != "ds/6030-1.1.xml" {
		t.Fatalf("path %s", e.Path)
	}
	for name, other := range map[string][]byte{
		"longer":    append(bytes.Clone(data), 'x'),
		"shorter":   data[:5],
		"same size": []byte("THE DS FILE"),
	} {
		err := e.Check(other)
		if !errors.Is(err, ErrMismatch) {
			t.Errorf("%s: err = %v, want a mismatch", name, err)
		}
	}
}

func TestVerifyIndex(t *testing.T) {
	pub := genKey(t, "Publisher", "ed25519", t0, 0)
	other := genKey(t, "Mallory", "ed25519", t0, 0)
	ring := mustKeyring(t, pub.pub)
	now := t0.Add(time.Hour)
	data, err := sampleIndex().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	asc := mustSign(t, pub, data, now)

	ix, signer, err := ring.VerifyIndex("index.xml", data, asc, now, 41)
	if err != nil || ix.Version != 42 || signer == nil {
		t.Fatalf("good index: %v", err)
	}
	if _, _, err := ring.VerifyIndex("index.xml", data, asc, now, 42); err != nil {
		t.Fatalf("equal version must be accepted: %v", err)
	}
	cases := []struct {
		name string
		data []byte
		asc  []byte
		now  time.Time
		last uint64
		kind Kind
	}{
		{"rollback", data, asc, now, 43, ErrRollback},
		{"expired", data, asc, t0.Add(8 * 24 * time.Hour), 0, ErrIndexExpired},
		{"untrusted key", data, mustSign(t, other, data, now), now, 0, ErrUntrustedKey},
		{"missing asc", data, nil, now, 0, ErrNoSignature},
		{"tampered", bytes.Replace(data, []byte(`version="42"`), []byte(`version="99"`), 1), asc, now, 0, ErrBadSignature},
		{"oversize", bytes.Repeat([]byte(" "), MaxIndexSize+1), asc, now, 0, ErrMalformedIndex},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ix, signer, err := ring.VerifyIndex("index.xml", c.data, c.asc, c.now, c.last)
			if !errors.Is(err, c.kind) || ix != nil || signer != nil {
				t.Fatalf("err = %v (index %v), want %s", err, ix != nil, c.kind)
			}
		})
	}
	// A well-signed document that is not a valid index is refused after
	// the signature check.
	junk := []byte(`<DSIndex version="1"/>`)
	if _, _, err := ring.VerifyIndex("index.xml", junk, mustSign(t, pub, junk, now), now, 0); !errors.Is(err, ErrMalformedIndex) {
		t.Fatalf("signed junk: %v", err)
	}
}

func TestIndexValidateSorts(t *testing.T) {
	ix := &Index{Version: 1, Expires: t0, DS: []IndexEntry{
		NewIndexEntry("100", "1", []byte("a")), NewIndexEntry("20", "1", []byte("b")), NewIndexEntry("3", "1", []byte("c")),
	}}
	if err := ix.Validate(); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range ix.DS {
		ids = append(ids, e.ID)
	}
	if strings.Join(ids, " ") != "3 20 100" {
		t.Fatalf("order %v", ids)
	}
	if err := (&Index{Version: 1}).Validate(); err == nil {
		t.Fatal("an index without expiry validated")
	}
}
