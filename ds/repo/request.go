package repo

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/verify"
)

// Limits of a regular download request.
const (
	// MaxRequestSize caps the body of POST /request.
	MaxRequestSize = 1 << 20
	// MaxRequestDS caps the DS a request reports.
	MaxRequestDS = 10000
	// maxHostname and maxSerial bound the device's names.
	maxHostname = 255
	maxSerial   = 128
)

// Request is the body of a regular download request: who the device is
// and which DS it runs.
//
//	<DSRequest hostname="edge-1" serial="..." profile="user1">
//	  <DS id="6030" revision="1.1" status="registered"/>
//	</DSRequest>
type Request struct {
	Hostname string
	Serial   string // optional
	Profile  string // the device's DS profile; optional
	DS       []RequestDS
}

// RequestDS is one DS a device reports.
type RequestDS struct {
	ID       string      `json:"id"`
	Revision ds.Revision `json:"revision,omitempty"` // empty when unknown (a DS that never parsed)
	Status   ds.Status   `json:"status"`
}

// statuses are the statuses a request may report.
var statuses = []ds.Status{
	ds.StatusDownloaded, ds.StatusPending, ds.StatusRegistered,
	ds.StatusRunning, ds.StatusFailed, ds.StatusDeinstalled,
}

// Validate checks every field: a hostname, optional serial and profile of
// printable characters within their limits, at most MaxRequestDS DS with
// valid unique ids, valid revisions and known statuses.
func (r *Request) Validate() error {
	if err := printable("hostname", r.Hostname, maxHostname, true); err != nil {
		return err
	}
	if err := printable("serial", r.Serial, maxSerial, false); err != nil {
		return err
	}
	if err := printable("profile", r.Profile, verify.MaxProfileLength, false); err != nil {
		return err
	}
	if len(r.DS) > MaxRequestDS {
		return fmt.Errorf("reports %d DS, more than %d", len(r.DS), MaxRequestDS)
	}
	seen := make(map[string]bool, len(r.DS))
	for _, d := range r.DS {
		if err := verify.CheckID(d.ID); err != nil {
			return err
		}
		if seen[d.ID] {
			return fmt.Errorf("DS %s is reported twice", d.ID)
		}
		seen[d.ID] = true
		if d.Revision != "" {
			if len(d.Revision) > 32 {
				return fmt.Errorf("DS %s: revision is too long", d.ID)
			}
			if _, err := ds.ParseRevision(string(d.Revision)); err != nil {
				return fmt.Errorf("DS %s: %w", d.ID, err)
			}
		}
		if !slices.Contains(statuses, d.Status) {
			return fmt.Errorf("DS %s: unknown status %.20q", d.ID, d.Status)
		}
	}
	return nil
}

// printable checks a name attribute: valid UTF-8, printable, no more than
// max characters, present if required.
func printable(what, s string, max int, required bool) error {
	if s == "" {
		if required {
			return fmt.Errorf("no %s", what)
		}
		return nil
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return fmt.Errorf("%s %.40q is longer than %d characters", what, s, max)
	}
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return fmt.Errorf("%s %.40q holds an unprintable character", what, s)
	}
	return nil
}

// Marshal validates the request and encodes it.
func (r *Request) Marshal() ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("DSRequest: %w", err)
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<DSRequest")
	attr(&b, "hostname", r.Hostname)
	if r.Serial != "" {
		attr(&b, "serial", r.Serial)
	}
	if r.Profile != "" {
		attr(&b, "profile", r.Profile)
	}
	b.WriteString(">\n")
	for _, d := range r.DS {
		b.WriteString("  <DS")
		attr(&b, "id", d.ID)
		if d.Revision != "" {
			attr(&b, "revision", string(d.Revision))
		}
		attr(&b, "status", string(d.Status))
		b.WriteString("/>\n")
	}
	b.WriteString("</DSRequest>\n")
	return b.Bytes(), nil
}

// attr writes ` name="escaped value"`.
func attr(b *bytes.Buffer, name, value string) {
	b.WriteString(" " + name + `="`)
	_ = xml.EscapeText(b, []byte(value))
	b.WriteString(`"`)
}

// ParseRequest reads a request strictly: at most MaxRequestSize bytes, one
// DSRequest root holding only empty DS elements, only the known
// attributes, each at most once, no text, no DOCTYPE; then Validate.
func ParseRequest(data []byte) (*Request, error) {
	if len(data) > MaxRequestSize {
		return nil, fmt.Errorf("DSRequest: larger than %d bytes", MaxRequestSize)
	}
	root, kids, err := readFlat(data, "DSRequest", "DS", MaxRequestDS,
		[]string{"hostname"}, []string{"serial", "profile"},
		[]string{"id", "status"}, []string{"revision"})
	if err != nil {
		return nil, fmt.Errorf("DSRequest: %w", err)
	}
	r := &Request{Hostname: root["hostname"], Serial: root["serial"], Profile: root["profile"]}
	for _, k := range kids {
		r.DS = append(r.DS, RequestDS{ID: k["id"], Revision: ds.Revision(k["revision"]), Status: ds.Status(k["status"])})
	}
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("DSRequest: %w", err)
	}
	return r, nil
}

// readFlat reads a document of one root element holding only empty child
// elements of one name, at most maxKids of them: attributes are checked
// against the required and optional names (no others, none twice, no
// namespaces); white space and comments are the only other content
// allowed; a DOCTYPE is refused.
func readFlat(data []byte, rootName, kidName string, maxKids int, rootReq, rootOpt, kidReq, kidOpt []string) (map[string]string, []map[string]string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	at := func(format string, args ...any) error {
		line, _ := d.InputPos()
		return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
	}
	var root map[string]string
	var kids []map[string]string
	depth, done := 0, false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, at("%v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case depth == 0 && !done && t.Name.Local == rootName && t.Name.Space == "":
				if root, err = attrs(t, rootReq, rootOpt); err != nil {
					return nil, nil, at("%v", err)
				}
			case depth == 1 && t.Name.Local == kidName && t.Name.Space == "":
				if len(kids) >= maxKids {
					return nil, nil, at("more than %d <%s> elements", maxKids, kidName)
				}
				k, err := attrs(t, kidReq, kidOpt)
				if err != nil {
					return nil, nil, at("%v", err)
				}
				kids = append(kids, k)
			default:
				return nil, nil, at("unexpected element <%s>", t.Name.Local)
			}
			depth++
		case xml.EndElement:
			depth--
			if depth == 0 {
				done = true
			}
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return nil, nil, at("unexpected text %.40q", bytes.TrimSpace(t))
			}
		case xml.Comment:
		case xml.ProcInst:
			if root != nil || t.Target != "xml" {
				return nil, nil, at("unexpected processing instruction")
			}
		default:
			return nil, nil, at("a DOCTYPE or other directive is not allowed")
		}
	}
	if root == nil {
		return nil, nil, fmt.Errorf("no <%s> element", rootName)
	}
	return root, kids, nil
}

// attrs returns the attributes of se, checked against the required and
// optional names.
func attrs(se xml.StartElement, required, optional []string) (map[string]string, error) {
	out := make(map[string]string, len(se.Attr))
	for _, a := range se.Attr {
		if a.Name.Space != "" || (!slices.Contains(required, a.Name.Local) && !slices.Contains(optional, a.Name.Local)) {
			return nil, fmt.Errorf("<%s> has an unexpected attribute %q", se.Name.Local, a.Name.Local)
		}
		if _, dup := out[a.Name.Local]; dup {
			return nil, fmt.Errorf("<%s> has attribute %s twice", se.Name.Local, a.Name.Local)
		}
		out[a.Name.Local] = a.Value
	}
	for _, n := range required {
		if out[n] == "" {
			return nil, errors.New("<" + se.Name.Local + "> lacks the " + n + " attribute")
		}
	}
	return out, nil
}
