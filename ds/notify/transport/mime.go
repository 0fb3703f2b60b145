package transport

import (
	"bytes"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"
)

// composeMail builds the RFC 5322 message: headers, a blank line and the
// body, with CRLF line ends. The body is sent as 7bit when it is plain
// ASCII with short lines, quoted-printable otherwise.
func composeMail(from, replyTo string, to []string, msg Envelope, date time.Time, msgID string) []byte {
	var b bytes.Buffer
	header := func(name, value string) {
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
		b.WriteString("\r\n")
	}
	header("Date", date.Format(time.RFC1123Z))
	header("From", from)
	if replyTo != "" {
		header("Reply-To", replyTo)
	}
	header("To", foldList(to, len("To: ")))
	if s := headerText(msg.Subject); s != "" {
		header("Subject", mime.QEncoding.Encode("utf-8", s))
	}
	if msgID != "" {
		header("Message-ID", msgID)
	}
	header("MIME-Version", "1.0")
	ct := headerText(msg.ContentType)
	if ct == "" {
		ct = ContentTypeText
	}
	header("Content-Type", ct)
	header("X-Mailer", DefaultUserAgent)
	if sevenBit(msg.Body) {
		header("Content-Transfer-Encoding", "7bit")
		b.WriteString("\r\n")
		writeCRLF(&b, msg.Body)
	} else {
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		qp := quotedprintable.NewWriter(&b)
		_, _ = qp.Write(bytes.ReplaceAll(msg.Body, []byte("\r\n"), []byte("\n")))
		_ = qp.Close()
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// headerText makes s safe for one header field: line breaks and other
// control characters become spaces, surrounding blanks go.
func headerText(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s))
}

// foldList joins addresses with ", ", folding onto continuation lines so
// that no line grows past 78 characters when it can be helped.
func foldList(items []string, used int) string {
	var b strings.Builder
	line := used
	for i, it := range items {
		it = headerText(it)
		if i > 0 {
			b.WriteString(",")
			line++
			if line+1+len(it)+1 > 78 { // a blank, the address, the comma after it
				b.WriteString("\r\n ")
				line = 1
			} else {
				b.WriteString(" ")
				line++
			}
		}
		b.WriteString(it)
		line += len(it)
	}
	return b.String()
}

// sevenBit reports whether body can go as 7bit: ASCII without NUL or bare
// CR, no line over 998 bytes.
func sevenBit(body []byte) bool {
	line := 0
	for i, c := range body {
		switch {
		case c == '\n':
			line = 0
			continue
		case c == '\r':
			if i+1 >= len(body) || body[i+1] != '\n' {
				return false
			}
			continue
		case c == 0 || c >= 0x80:
			return false
		}
		line++
		if line > 998 {
			return false
		}
	}
	return true
}

// writeCRLF copies body with every line ending in CRLF.
func writeCRLF(b *bytes.Buffer, body []byte) {
	for len(body) > 0 {
		i := bytes.IndexByte(body, '\n')
		if i < 0 {
			b.Write(body)
			return
		}
		b.Write(bytes.TrimSuffix(body[:i], []byte("\r")))
		b.WriteString("\r\n")
		body = body[i+1:]
	}
}
