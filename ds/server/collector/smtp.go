package collector

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// SMTP is the collector's mail listener, for profiles whose transport is
// email. A device authenticates with its token as the recipient's local
// part (TOKEN@server) or after a plus (callhome+TOKEN@server). Answers:
// 250 stored, 550 unknown token, 552 too large, 554 refused (malformed),
// 451 the database is unavailable (the device retries).
type SMTP struct {
	c *Collector
}

// NewSMTP returns the go-smtp server for c; serve it with Serve(listener)
// and stop it with Close or Shutdown.
func NewSMTP(c *Collector, domain string) *smtp.Server {
	s := smtp.NewServer(smtp.BackendFunc(func(conn *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{c: c, remote: conn.Conn().RemoteAddr().String()}, nil
	}))
	s.Domain = domain
	s.MaxMessageBytes = c.o.MaxBody
	s.MaxRecipients = 10
	s.ReadTimeout = time.Minute
	s.WriteTimeout = time.Minute
	return s
}

type smtpSession struct {
	c       *Collector
	remote  string
	profile string
}

func (s *smtpSession) Reset()        { s.profile = "" }
func (s *smtpSession) Logout() error { return nil }

func (s *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	local, _, _ := strings.Cut(to, "@")
	if _, tok, ok := strings.Cut(local, "+"); ok {
		local = tok
	}
	profile, ok, err := s.c.o.Tokens.Profile(context.Background(), local)
	if err != nil {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "database unavailable, try again later"}
	}
	if !ok {
		s.c.o.Logger.Warn("collector: smtp: refused: unknown token", "remote", s.remote)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "refused: unknown token; the recipient is TOKEN@ or callhome+TOKEN@ this server"}
	}
	s.profile = profile
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	if s.profile == "" {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "no valid recipient"}
	}
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "refused: not a mail message: " + err.Error()}
	}
	var body io.Reader = msg.Body
	switch strings.ToLower(strings.TrimSpace(msg.Header.Get("Content-Transfer-Encoding"))) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "refused: " + err.Error()}
	}
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	_, err = s.c.Collect(context.Background(), data, s.profile, msg.Header.Get("Message-Id"), s.remote)
	switch {
	case errors.Is(err, ErrRefused):
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: err.Error()}
	case err != nil:
		s.c.o.Logger.Error("collector: smtp: not stored; the device will retry", "remote", s.remote, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "not stored, try again later: the database is unavailable"}
	}
	return nil
}
