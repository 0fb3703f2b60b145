package verify

// Repository index checks (SPEC §8): the index model shared by `repo build`,
// `repo serve` and the download client, its strict parser and canonical
// encoding, and the checks a client makes before it trusts an index:
// the signature (VerifyIndex), rollback (a version lower than the last one
// accepted), freeze (an index past its expiry), and for each downloaded
// file its size and SHA-256 (IndexEntry.Check: mix-and-match, endless data).

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dsengine/dsengine/ds"
)

// Names of the index files at the top of a repository.
const (
	IndexFile          = "index.xml"
	IndexSignatureFile = "index.xml.asc"
	// IndexDir holds the DS files a repository serves, as
	// <id>-<revision>.xml and <id>-<revision>.xml.asc.
	IndexDir = "ds"
)

// Limits of an index. Anything larger is refused before it is parsed.
const (
	// MaxIndexSize caps index.xml: an entry is about 150 bytes, so the cap
	// holds tens of thousands of DS.
	MaxIndexSize = 8 << 20
	// MaxIndexEntries caps the DS entries of one index.
	MaxIndexEntries = 50000
	// MaxIndexedFileSize caps the size an entry may list for a DS file; it
	// equals parse.MaxFileSize, the largest DS file the parser reads.
	MaxIndexedFileSize = 1 << 20
	// MaxProfileLength is the longest profile name (the guides' limit).
	MaxProfileLength = 31
	// maxIDDigits is the longest DS id, as ds/parse accepts it.
	maxIDDigits = 10
	// maxRevisionLength bounds a revision string.
	maxRevisionLength = 32
)

// The kinds of index failure, in addition to the signature kinds above.
const (
	// ErrMalformedIndex: index.xml is not a well-formed, valid index.
	ErrMalformedIndex Kind = "malformed index"
	// ErrRollback: the index is older (a lower version) than one already
	// accepted: a replay of an old index, which could reinstall old DS.
	ErrRollback Kind = "rollback"
	// ErrIndexExpired: the index is past its expiry: a frozen repository,
	// or a replay that keeps the device from seeing updates.
	ErrIndexExpired Kind = "index expired"
	// ErrMismatch: a downloaded file does not have the size or SHA-256 the
	// index lists (mix-and-match, a truncated or endless answer).
	ErrMismatch Kind = "mismatch"
)

// Index is a repository index: a version that only grows, an expiry, one
// entry per DS and the optional assignments of DS to profiles.
//
//	<DSIndex version="42" expires="2026-12-01T00:00:00Z">
//	  <DS id="6030" revision="1.1" sha256="<hex>" size="1234" path="ds/6030-1.1.xml"/>
//	  <Assign profile="user1" ids="6015 6030"/>
//	</DSIndex>
type Index struct {
	Version uint64
	Expires time.Time
	DS      []IndexEntry // sorted by numeric id
	// Assign lists which DS each profile gets; none means every DS for
	// every profile.
	Assign []Assignment
}

// IndexEntry is one DS of an index.
type IndexEntry struct {
	ID       string
	Revision ds.Revision
	SHA256   string // of the DS file, lower-case hex
	Size     int64  // of the DS file, in bytes
	// Path is the DS file's path in the repository, always
	// "ds/<id>-<revision>.xml"; its signature is Path + ".asc".
	Path string
}

// Assignment is one <Assign profile="..." ids="..."/>: the DS a profile
// gets. An empty IDs assigns nothing to the profile.
type Assignment struct {
	Profile string
	IDs     []string
}

// EntryPath is the repository path of a DS file: ds/<id>-<revision>.xml.
func EntryPath(id string, rev ds.Revision) string {
	return IndexDir + "/" + id + "-" + string(rev) + ".xml"
}

// NewIndexEntry describes a DS file for an index.
func NewIndexEntry(id string, rev ds.Revision, data []byte) IndexEntry {
	sum := sha256.Sum256(data)
	return IndexEntry{ID: id, Revision: rev, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Path: EntryPath(id, rev)}
}

// Check reports whether data is the file e describes: its size first, then
// its SHA-256. A failure is an *Error of Kind ErrMismatch naming e.Path.
func (e IndexEntry) Check(data []byte) error {
	if int64(len(data)) != e.Size {
		return fail(ErrMismatch, e.Path, "is %d bytes, the index lists %d; the repository serves another file than it signed (mix-and-match), refused", len(data), e.Size)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != e.SHA256 {
		return fail(ErrMismatch, e.Path, "has SHA-256 %s, the index lists %s; the repository serves another file than it signed (mix-and-match), refused", got, e.SHA256)
	}
	return nil
}

// Entry returns the entry of DS id.
func (ix *Index) Entry(id string) (IndexEntry, bool) {
	for _, e := range ix.DS {
		if e.ID == id {
			return e, true
		}
	}
	return IndexEntry{}, false
}

// Assigned returns the entries a device with the given DS profile should
// have: every entry if the index assigns nothing, else those assigned to
// the profile (compared without case, as IOS profile names are).
func (ix *Index) Assigned(profile string) []IndexEntry {
	if len(ix.Assign) == 0 {
		return slices.Clone(ix.DS)
	}
	want := map[string]bool{}
	for _, a := range ix.Assign {
		if strings.EqualFold(a.Profile, profile) {
			for _, id := range a.IDs {
				want[id] = true
			}
		}
	}
	var out []IndexEntry
	for _, e := range ix.DS {
		if want[e.ID] {
			out = append(out, e)
		}
	}
	return out
}

// Expired reports whether the index is past its expiry at now.
func (ix *Index) Expired(now time.Time) bool { return !now.Before(ix.Expires) }

// Validate checks every field of the index: a version of at least 1,
// an expiry, valid and unique DS ids, revisions, hashes, sizes up to
// MaxIndexedFileSize and canonical paths, and assignments that name valid,
// unique profiles and only DS of the index. It sorts DS by numeric id.
func (ix *Index) Validate() error {
	bad := func(format string, args ...any) error {
		return fail(ErrMalformedIndex, IndexFile, format, args...)
	}
	if ix.Version == 0 {
		return bad("version must be at least 1")
	}
	if ix.Expires.IsZero() {
		return bad("has no expiry")
	}
	if len(ix.DS) > MaxIndexEntries {
		return bad("lists %d DS, more than %d", len(ix.DS), MaxIndexEntries)
	}
	ids := make(map[string]bool, len(ix.DS))
	for _, e := range ix.DS {
		if err := checkEntry(e); err != nil {
			return bad("DS %.20q: %v", e.ID, err)
		}
		if ids[e.ID] {
			return bad("DS %s is listed twice", e.ID)
		}
		ids[e.ID] = true
	}
	slices.SortFunc(ix.DS, func(a, b IndexEntry) int { return compareIDs(a.ID, b.ID) })
	profiles := map[string]bool{}
	for _, a := range ix.Assign {
		if err := checkProfile(a.Profile); err != nil {
			return bad("Assign: %v", err)
		}
		key := strings.ToLower(a.Profile)
		if profiles[key] {
			return bad("profile %q is assigned twice", a.Profile)
		}
		profiles[key] = true
		seen := map[string]bool{}
		for _, id := range a.IDs {
			if !ids[id] {
				return bad("Assign profile %q: DS %.20q is not in the index", a.Profile, id)
			}
			if seen[id] {
				return bad("Assign profile %q: DS %s is listed twice", a.Profile, id)
			}
			seen[id] = true
		}
	}
	return nil
}

// checkEntry validates one DS entry.
func checkEntry(e IndexEntry) error {
	if err := CheckID(e.ID); err != nil {
		return err
	}
	if len(e.Revision) > maxRevisionLength {
		return fmt.Errorf("revision longer than %d characters", maxRevisionLength)
	}
	if _, err := ds.ParseRevision(string(e.Revision)); err != nil {
		return err
	}
	if len(e.SHA256) != sha256.Size*2 || strings.ToLower(e.SHA256) != e.SHA256 {
		return fmt.Errorf("sha256 %.80q is not 64 lower-case hex digits", e.SHA256)
	}
	if _, err := hex.DecodeString(e.SHA256); err != nil {
		return fmt.Errorf("sha256 %.80q is not 64 lower-case hex digits", e.SHA256)
	}
	if e.Size < 1 || e.Size > MaxIndexedFileSize {
		return fmt.Errorf("size %d is not between 1 and %d bytes", e.Size, MaxIndexedFileSize)
	}
	if want := EntryPath(e.ID, e.Revision); e.Path != want {
		return fmt.Errorf("path %.80q must be %s", e.Path, want)
	}
	return nil
}

// CheckID reports whether id is a valid DS id in a repository: 1 to 10
// decimal digits without a leading zero, so it can be part of a path and
// never aliases another id ("007" and "7").
func CheckID(id string) error {
	switch {
	case id == "":
		return errors.New("empty DS id")
	case len(id) > maxIDDigits:
		return fmt.Errorf("DS id %.20q is longer than %d digits", id, maxIDDigits)
	case len(id) > 1 && id[0] == '0':
		return fmt.Errorf("DS id %q has a leading zero", id)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return fmt.Errorf("DS id %.20q is not a number", id)
		}
	}
	return nil
}

// checkProfile validates a profile name: 1 to MaxProfileLength printable
// characters, not "all".
func checkProfile(p string) error {
	switch {
	case p == "":
		return errors.New("empty profile name")
	case utf8.RuneCountInString(p) > MaxProfileLength || !utf8.ValidString(p):
		return fmt.Errorf("profile name %.40q is longer than %d characters", p, MaxProfileLength)
	case strings.EqualFold(p, "all"):
		return errors.New(`"all" is not a profile name`)
	}
	for _, r := range p {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("profile name %q holds an unprintable character", p)
		}
	}
	return nil
}

// compareIDs orders DS ids numerically (valid ids have no leading zero, so
// a shorter id is a smaller number).
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// Marshal validates the index and encodes it canonically: an XML
// declaration, DS sorted by id, one element per line. The result is what
// gets signed; clients verify those exact bytes.
func (ix *Index) Marshal() ([]byte, error) {
	if err := ix.Validate(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(128 + len(ix.DS)*160)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, "<DSIndex version=\"%d\" expires=\"%s\">\n", ix.Version, ix.Expires.UTC().Format(time.RFC3339))
	for _, e := range ix.DS {
		fmt.Fprintf(&b, "  <DS id=\"%s\" revision=\"%s\" sha256=\"%s\" size=\"%d\" path=\"%s\"/>\n",
			e.ID, e.Revision, e.SHA256, e.Size, e.Path)
	}
	for _, a := range ix.Assign {
		b.WriteString(`  <Assign profile="`)
		_ = xml.EscapeText(&b, []byte(a.Profile))
		b.WriteString(`" ids="` + strings.Join(a.IDs, " ") + "\"/>\n")
	}
	b.WriteString("</DSIndex>\n")
	return b.Bytes(), nil
}

// ParseIndex reads an index strictly: one DSIndex root holding only DS and
// Assign elements, each with exactly its attributes, no text, no DOCTYPE,
// no namespaces, no duplicate attributes; then every field is validated
// (see Validate). name is used in messages. A failure is an *Error of Kind
// ErrMalformedIndex giving the line.
func ParseIndex(name string, data []byte) (*Index, error) {
	if len(data) > MaxIndexSize {
		return nil, fail(ErrMalformedIndex, name, "is %d bytes, more than the %d an index may have", len(data), MaxIndexSize)
	}
	p := indexParser{name: name, d: xml.NewDecoder(bytes.NewReader(data))}
	p.d.Strict = true
	ix, err := p.parse()
	if err != nil {
		return nil, err
	}
	if err := ix.Validate(); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.File = name
		}
		return nil, err
	}
	return ix, nil
}

// indexParser walks the tokens of an index.
type indexParser struct {
	name string
	d    *xml.Decoder
}

// errorf reports a problem at the decoder's position.
func (p *indexParser) errorf(format string, args ...any) error {
	line, _ := p.d.InputPos()
	return fail(ErrMalformedIndex, p.name, "line %d: %s", line, fmt.Sprintf(format, args...))
}

// token returns the next token, copied, or an error (io.EOF at the end).
func (p *indexParser) token() (xml.Token, error) {
	tok, err := p.d.Token()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, p.errorf("%v", err)
	}
	return xml.CopyToken(tok), nil
}

// filler reports whether tok may stand between elements: white space,
// a comment, or (before the root) the XML declaration.
func (p *indexParser) filler(tok xml.Token, prolog bool) error {
	switch t := tok.(type) {
	case xml.CharData:
		if len(bytes.TrimSpace(t)) != 0 {
			return p.errorf("unexpected text %.40q", bytes.TrimSpace(t))
		}
	case xml.Comment:
	case xml.ProcInst:
		if !prolog || t.Target != "xml" {
			return p.errorf("unexpected processing instruction <?%s?>", t.Target)
		}
	case xml.Directive:
		return p.errorf("a DOCTYPE or other directive is not allowed")
	default:
		return p.errorf("unexpected %T", tok)
	}
	return nil
}

// parse reads the whole document.
func (p *indexParser) parse() (*Index, error) {
	var ix *Index
	for {
		tok, err := p.token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if ix != nil {
				return nil, p.errorf("a second root element <%s>", se.Name.Local)
			}
			if ix, err = p.root(se); err != nil {
				return nil, err
			}
			continue
		}
		if err := p.filler(tok, ix == nil); err != nil {
			return nil, err
		}
	}
	if ix == nil {
		return nil, fail(ErrMalformedIndex, p.name, "holds no <DSIndex> element")
	}
	return ix, nil
}

// root reads <DSIndex> and its children up to its end tag.
func (p *indexParser) root(se xml.StartElement) (*Index, error) {
	if se.Name.Local != "DSIndex" || se.Name.Space != "" {
		return nil, p.errorf("the root element is <%s>, not <DSIndex>", se.Name.Local)
	}
	attrs, err := p.attrs(se, "version", "expires")
	if err != nil {
		return nil, err
	}
	ix := &Index{}
	if ix.Version, err = parseVersion(attrs["version"]); err != nil {
		return nil, p.errorf("DSIndex version: %v", err)
	}
	if ix.Expires, err = time.Parse(time.RFC3339, attrs["expires"]); err != nil {
		return nil, p.errorf("DSIndex expires %.40q is not an RFC 3339 time such as 2026-12-01T00:00:00Z", attrs["expires"])
	}
	ix.Expires = ix.Expires.UTC()
	for {
		tok, err := p.token()
		if err == io.EOF {
			return nil, p.errorf("</DSIndex> is missing")
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return ix, nil
		case xml.StartElement:
			if err := p.child(ix, t); err != nil {
				return nil, err
			}
		default:
			if err := p.filler(tok, false); err != nil {
				return nil, err
			}
		}
	}
}

// child reads one <DS> or <Assign> up to its end tag.
func (p *indexParser) child(ix *Index, se xml.StartElement) error {
	if se.Name.Space != "" {
		return p.errorf("unexpected element <%s:%s>", se.Name.Space, se.Name.Local)
	}
	switch se.Name.Local {
	case "DS":
		if len(ix.DS) >= MaxIndexEntries {
			return p.errorf("more than %d DS", MaxIndexEntries)
		}
		a, err := p.attrs(se, "id", "revision", "sha256", "size", "path")
		if err != nil {
			return err
		}
		size, err := strconv.ParseInt(a["size"], 10, 64)
		if err != nil || !isDecimal(a["size"]) {
			return p.errorf("DS %.20q: size %.20q is not a number of bytes", a["id"], a["size"])
		}
		e := IndexEntry{ID: a["id"], Revision: ds.Revision(a["revision"]), SHA256: a["sha256"], Size: size, Path: a["path"]}
		if err := checkEntry(e); err != nil {
			return p.errorf("DS %.20q: %v", a["id"], err)
		}
		ix.DS = append(ix.DS, e)
	case "Assign":
		if len(ix.Assign) >= MaxIndexEntries {
			return p.errorf("more than %d Assign elements", MaxIndexEntries)
		}
		a, err := p.attrs(se, "profile", "ids")
		if err != nil {
			return err
		}
		ids := strings.Fields(a["ids"])
		for _, id := range ids {
			if err := CheckID(id); err != nil {
				return p.errorf("Assign profile %q: %v", a["profile"], err)
			}
		}
		ix.Assign = append(ix.Assign, Assignment{Profile: a["profile"], IDs: ids})
	default:
		return p.errorf("unexpected element <%s> in <DSIndex>", se.Name.Local)
	}
	// The element must be empty: only white space or comments up to its
	// end tag.
	for {
		tok, err := p.token()
		if err == io.EOF {
			return p.errorf("</%s> is missing", se.Name.Local)
		}
		if err != nil {
			return err
		}
		if _, ok := tok.(xml.EndElement); ok {
			return nil
		}
		if _, ok := tok.(xml.StartElement); ok {
			return p.errorf("<%s> must be empty", se.Name.Local)
		}
		if err := p.filler(tok, false); err != nil {
			return err
		}
	}
}

// attrs returns the element's attributes, which must be exactly the
// names given, each once, without namespaces.
func (p *indexParser) attrs(se xml.StartElement, names ...string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	for _, a := range se.Attr {
		if a.Name.Space != "" || !slices.Contains(names, a.Name.Local) {
			return nil, p.errorf("<%s> has an unexpected attribute %q", se.Name.Local, attrName(a.Name))
		}
		if _, dup := out[a.Name.Local]; dup {
			return nil, p.errorf("<%s> has attribute %s twice", se.Name.Local, a.Name.Local)
		}
		out[a.Name.Local] = a.Value
	}
	for _, n := range names {
		if _, ok := out[n]; !ok {
			return nil, p.errorf("<%s> lacks the %s attribute", se.Name.Local, n)
		}
		if n != "ids" && out[n] == "" {
			return nil, p.errorf("<%s> has an empty %s attribute", se.Name.Local, n)
		}
	}
	return out, nil
}

// attrName formats an attribute name with its prefix, if any.
func attrName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// parseVersion reads an index version: a decimal number from 1 to
// MaxUint64 without sign or leading zero.
func parseVersion(s string) (uint64, error) {
	if !isDecimal(s) {
		return 0, fmt.Errorf("%.30q is not a whole number without leading zeros", s)
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v == 0 {
		return 0, fmt.Errorf("%.30q is not between 1 and %d", s, uint64(math.MaxUint64))
	}
	return v, nil
}

// isDecimal reports whether s is a decimal number without sign or leading
// zero.
func isDecimal(s string) bool {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// VerifyIndex checks a downloaded index before anything in it is trusted:
// its size, then its signature over the exact bytes (armoredSig is the
// content of index.xml.asc, nil when it is missing) by a key of k valid at
// now, and only then parses it and refuses it when its version is lower
// than lastVersion, the highest version accepted before (rollback), or it
// has expired at now (freeze). An equal version is accepted: it is the
// same index, or one the publisher re-signed. Failures are *Errors: a
// signature Kind, ErrMalformedIndex, ErrRollback or ErrIndexExpired.
func (k *Keyring) VerifyIndex(name string, data, armoredSig []byte, now time.Time, lastVersion uint64) (*Index, *Signer, error) {
	if len(data) > MaxIndexSize {
		return nil, nil, fail(ErrMalformedIndex, name, "is larger than %d bytes, refused", MaxIndexSize)
	}
	signer, err := k.VerifyDetached(name, data, armoredSig, now)
	if err != nil {
		return nil, nil, err
	}
	ix, err := ParseIndex(name, data)
	if err != nil {
		return nil, nil, err
	}
	if ix.Version < lastVersion {
		return nil, nil, fail(ErrRollback, name,
			"has version %d, older than version %d accepted before; an old index is being replayed (rollback), refused",
			ix.Version, lastVersion).withKey(signer.KeyID)
	}
	if ix.Expired(now) {
		return nil, nil, fail(ErrIndexExpired, name,
			"expired at %s (now %s); the repository is frozen or replayed, refused: the publisher must run `dsengine repo build` again",
			ix.Expires.Format(time.RFC3339), now.UTC().Format(time.RFC3339)).withKey(signer.KeyID)
	}
	return ix, signer, nil
}
