package emailto

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"unicode/utf8"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"github.com/dsengine/dsengine/ds/notify/transport"
)

// Compose returns the Content-Type and body of m. Without outputs it is
// the text alone, text/plain. With outputs it is multipart/mixed: the text
// (when there is one), then one text/plain part per command, shown inline
// by mail clients and saved as a file named after the command
// ("show-version.txt"), its description the command itself. Each part is
// 7bit, or quoted-printable when it is not plain ASCII with short lines,
// so the body as a whole is 7bit.
//
// The body stays within m.SizeLimit (0 is config.DefaultMessageSize):
// when it would not, the outputs are cut, longest first, to one common
// length, each cut one ending with the call-home note
// (callhome.TruncationNote). When even the text with every output cut to
// nothing is too long, the error wraps callhome.ErrTooLarge.
func Compose(m Mail) (contentType string, body []byte, err error) {
	if len(m.Outputs) == 0 {
		return transport.ContentTypeText, []byte(m.Body), nil
	}
	limit := m.SizeLimit
	if limit == 0 {
		limit = config.DefaultMessageSize
	}
	ct, b := compose(m.Body, m.Outputs, -1, limit)
	if len(b) <= limit {
		return ct, b, nil
	}
	// The largest common cut that fits: the size grows with the cut.
	longest := 0
	for _, o := range m.Outputs {
		longest = max(longest, len(o.Output))
	}
	if _, b := compose(m.Body, m.Outputs, 0, limit); len(b) > limit {
		return "", nil, fmt.Errorf("emailto: the mail is %d bytes with every command output cut, over the DS profile's message-size-limit %d: "+
			"shorten the text or raise `message-size-limit`: %w", len(b), limit, callhome.ErrTooLarge)
	}
	lo, hi := 0, longest // compose(lo) fits, compose(hi) does not
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if _, b := compose(m.Body, m.Outputs, mid, limit); len(b) <= limit {
			lo = mid
		} else {
			hi = mid
		}
	}
	ct, b = compose(m.Body, m.Outputs, lo, limit)
	return ct, b, nil
}

// compose writes the multipart body with every output cut to at most cut
// bytes (-1: whole).
func compose(text string, outs []callhome.Attachment, cut, limit int) (string, []byte) {
	type part struct {
		h       textproto.MIMEHeader
		content string
	}
	var ps []part
	if strings.TrimSpace(text) != "" {
		ps = append(ps, part{textproto.MIMEHeader{"Content-Type": {transport.ContentTypeText}}, text})
	}
	names := map[string]int{}
	for _, o := range outs {
		out := strings.ToValidUTF8(o.Output, "\uFFFD")
		if cut >= 0 && len(out) > cut {
			out = cutOutput(out, cut) + "\n" + callhome.TruncationNote(limit) + "\n"
		}
		name := fileName(o.Command)
		if n := names[name]; n > 0 {
			name = fmt.Sprintf("%s-%d", name, n+1)
		}
		names[fileName(o.Command)]++
		name += ".txt"
		ps = append(ps, part{textproto.MIMEHeader{
			"Content-Type":        {fmt.Sprintf("%s; name=%q", transport.ContentTypeText, name)},
			"Content-Disposition": {fmt.Sprintf("inline; filename=%q", name)},
			"Content-Description": {headerSafe(o.Command)},
		}, out})
	}
	// A boundary from the content: the same mail composes the same, and no
	// part holds it.
	sum := sha256.New()
	for _, p := range ps {
		sum.Write([]byte(p.content))
		sum.Write([]byte{0})
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.SetBoundary("ds-" + hex.EncodeToString(sum.Sum(nil))[:32])
	for _, p := range ps {
		content := []byte(p.content)
		if sevenBit(content) {
			p.h.Set("Content-Transfer-Encoding", "7bit")
		} else {
			p.h.Set("Content-Transfer-Encoding", "quoted-printable")
		}
		pw, _ := w.CreatePart(p.h) // a bytes.Buffer does not fail
		if p.h.Get("Content-Transfer-Encoding") == "7bit" {
			_, _ = pw.Write(crlf(content))
			continue
		}
		qp := quotedprintable.NewWriter(pw)
		_, _ = qp.Write(content)
		_ = qp.Close()
	}
	_ = w.Close()
	return "multipart/mixed; boundary=" + w.Boundary(), b.Bytes()
}

// cutOutput keeps at most n bytes of out, never inside a UTF-8 sequence,
// at a line end when one lies in the second half of what is kept.
func cutOutput(out string, n int) string {
	for n > 0 && !utf8.RuneStart(out[n]) {
		n--
	}
	kept := out[:n]
	if i := strings.LastIndexByte(kept, '\n'); i >= n/2 && i > 0 {
		kept = kept[:i]
	}
	return kept
}

// fileName makes a file name of a command: lower-case letters, digits
// and -, at most 60 bytes ("show ip bgp summary" is show-ip-bgp-summary).
func fileName(command string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(command) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	if b.Len() == 0 {
		return "output"
	}
	return b.String()
}

// headerSafe makes s one header line of printable ASCII: other bytes
// become ?, and it is cut to 200 bytes.
func headerSafe(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c >= 0x7f {
			b[i] = '?'
		}
	}
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}

// sevenBit reports whether p can go as 7bit: ASCII without NUL or CR, no
// line over 998 bytes.
func sevenBit(p []byte) bool {
	line := 0
	for _, c := range p {
		switch {
		case c == '\n':
			line = 0
			continue
		case c == 0 || c == '\r' || c >= 0x80:
			return false
		}
		if line++; line > 998 {
			return false
		}
	}
	return true
}

// crlf ends every line of p with CRLF, as a 7bit part's lines end.
func crlf(p []byte) []byte {
	return bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))
}
