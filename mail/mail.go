// Package mail sends civicmon's notification mail (password reset links)
// through an SMTP server: one plain-text message at a time, built by hand as
// RFC 5322 wants it, over net/smtp.
//
// Transport security is the configuration's choice and is never silently
// lowered: "starttls" (the default) refuses a server that does not offer
// STARTTLS, "tls" speaks TLS from the first byte (port 465), and "none"
// sends in the clear — meant for a relay on the same machine. A password is
// only ever sent over TLS, or to localhost.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"
)

// Transport security modes of Config.TLS.
const (
	TLSNone     = "none"
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
)

const (
	// dialTimeout bounds connecting when ctx has no earlier deadline.
	dialTimeout = 30 * time.Second
	// sendTimeout bounds the whole conversation when ctx has no deadline.
	sendTimeout = 2 * time.Minute
)

// Config says how to reach the SMTP server.
type Config struct {
	Host     string
	Port     int // 0: 465 for TLS "tls", 587 for "starttls", 25 for "none"
	Username string
	Password string
	// From is the sender, "noreply@example.org" or
	// "Civic Monitor <noreply@example.org>".
	From string
	// TLS is "none", "starttls" (the default when empty) or "tls".
	TLS string

	// rootCAs replaces the system roots when verifying the server's
	// certificate (tests only; see export_test.go).
	rootCAs *x509.CertPool
}

// Enabled reports whether mail is configured at all.
func (c Config) Enabled() bool { return c.Host != "" }

// FromEnv reads the configuration from CIVICMON_SMTP_HOST, _PORT,
// _USERNAME, _PASSWORD, _FROM and _TLS. A port that is not a number is kept
// as 0, the mode's default; Send reports an unknown TLS mode.
func FromEnv() Config {
	port, _ := strconv.Atoi(strings.TrimSpace(os.Getenv("CIVICMON_SMTP_PORT")))
	return Config{
		Host:     strings.TrimSpace(os.Getenv("CIVICMON_SMTP_HOST")),
		Port:     port,
		Username: os.Getenv("CIVICMON_SMTP_USERNAME"),
		Password: os.Getenv("CIVICMON_SMTP_PASSWORD"),
		From:     strings.TrimSpace(os.Getenv("CIVICMON_SMTP_FROM")),
		TLS:      strings.ToLower(strings.TrimSpace(os.Getenv("CIVICMON_SMTP_TLS"))),
	}
}

func (c Config) mode() string {
	if c.TLS == "" {
		return TLSStartTLS
	}
	return c.TLS
}

func (c Config) addr() string {
	port := c.Port
	if port == 0 {
		switch c.mode() {
		case TLSImplicit:
			port = 465
		case TLSNone:
			port = 25
		default:
			port = 587
		}
	}
	return net.JoinHostPort(c.Host, strconv.Itoa(port))
}

// check returns what is wrong with the configuration, in terms of the
// environment variables an admin sets.
func (c Config) check() error {
	if c.Host == "" {
		return errors.New("mail: no SMTP server configured (set CIVICMON_SMTP_HOST)")
	}
	switch c.mode() {
	case TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return fmt.Errorf("mail: SMTP TLS mode %q is unknown; use none, starttls or tls (CIVICMON_SMTP_TLS)", c.TLS)
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("mail: SMTP port %d is out of range (CIVICMON_SMTP_PORT)", c.Port)
	}
	if c.Username != "" && c.mode() == TLSNone && !isLocalhost(c.Host) {
		return fmt.Errorf("mail: refusing to send the SMTP password to %s in the clear; set CIVICMON_SMTP_TLS to starttls or tls", c.Host)
	}
	return nil
}

func isLocalhost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Message is one plain-text mail to one recipient.
type Message struct {
	To      string // "ana@example.org" or "Ana <ana@example.org>"
	Subject string
	Text    string
	// MessageID is the Message-ID header, "<…@…>": the outbox keeps one
	// per mail, so that a mail sent again after a crash is the same
	// message. Empty: a new one is made.
	MessageID string
}

// Permanent reports whether err is the SMTP server's permanent refusal
// (a 5xx reply: no such mailbox, message refused), which sending again
// will not change, or a message that cannot be sent as it is.
func Permanent(err error) bool {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 500 && te.Code < 600
	}
	var he *HeaderInjectionError
	return errors.As(err, &he)
}

// Send delivers m through the server c names. It gives up when ctx ends,
// whether connecting or in the middle of the conversation.
func Send(ctx context.Context, c Config, m Message) error {
	if err := c.check(); err != nil {
		return err
	}
	from, to, raw, err := build(c, m, time.Now())
	if err != nil {
		return err
	}
	addr := c.addr()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, sendTimeout)
		defer cancel()
	}
	fail := func(what string, err error) error {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// The connection's deadline is ctx's: let ctx's own timer,
			// which may fire a moment later, catch up.
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("mail: SMTP server %s: %s: gave up: %w (%v)", addr, what, cerr, err)
		}
		return fmt.Errorf("mail: SMTP server %s: %s: %w", addr, what, err)
	}

	conn, err := dial(ctx, c, addr)
	if err != nil {
		return fail("cannot connect", err)
	}
	defer conn.Close()
	// The deadline bounds the conversation; AfterFunc ends it at once when
	// ctx is cancelled early.
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	client, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		return fail("greeting", err)
	}
	defer client.Close()
	if err := client.Hello(helloName()); err != nil {
		return fail("EHLO", err)
	}
	if c.mode() == TLSStartTLS {
		if ok, _ := client.Extension("STARTTLS"); !ok {
			return fmt.Errorf("mail: SMTP server %s does not offer STARTTLS; set CIVICMON_SMTP_TLS=tls for port 465, or none for a local relay", addr)
		}
		if err := client.StartTLS(c.tlsConfig()); err != nil {
			return fail("STARTTLS", err)
		}
	}
	if c.Username != "" {
		if ok, _ := client.Extension("AUTH"); !ok {
			return fmt.Errorf("mail: SMTP server %s does not offer AUTH, but CIVICMON_SMTP_USERNAME is set", addr)
		}
		if err := client.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
			return fail("AUTH PLAIN as "+c.Username, err)
		}
	}
	if err := client.Mail(from); err != nil {
		return fail("MAIL FROM", err)
	}
	if err := client.Rcpt(to); err != nil {
		return fail("RCPT TO", err) // not the address: errors reach logs
	}
	w, err := client.Data()
	if err != nil {
		return fail("DATA", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fail("DATA", err)
	}
	if err := w.Close(); err != nil {
		return fail("message refused", err)
	}
	// The server took the message when DATA ended: a failed QUIT loses nothing.
	client.Quit()
	return nil
}

func (c Config) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: c.Host, RootCAs: c.rootCAs, MinVersion: tls.VersionTLS12}
}

func dial(ctx context.Context, c Config, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: dialTimeout}
	if c.mode() == TLSImplicit {
		td := &tls.Dialer{NetDialer: d, Config: c.tlsConfig()}
		return td.DialContext(ctx, "tcp", addr)
	}
	return d.DialContext(ctx, "tcp", addr)
}

// helloName is the name given in EHLO: the host name when it is a usable
// domain, "localhost" otherwise.
func helloName() string {
	h, err := os.Hostname()
	if err != nil || h == "" || strings.ContainsAny(h, " \t\r\n") {
		return "localhost"
	}
	return h
}

// HeaderInjectionError is returned for a header value with a line break,
// which could add headers or recipients of an attacker's choosing.
type HeaderInjectionError struct {
	Field string
}

func (e *HeaderInjectionError) Error() string {
	return fmt.Sprintf("mail: the %s contains a line break, which is not allowed in a mail header (refused to prevent header injection)", e.Field)
}

func checkHeader(field, v string) error {
	if strings.ContainsAny(v, "\r\n") {
		return &HeaderInjectionError{Field: field}
	}
	return nil
}

// build returns the envelope addresses and the message in wire form
// (CRLF line ends; net/smtp adds dot-stuffing).
func build(c Config, m Message, now time.Time) (from, to string, raw []byte, err error) {
	for _, h := range []struct{ field, v string }{{"sender (From)", c.From}, {"recipient (To)", m.To}, {"subject", m.Subject}} {
		if err := checkHeader(h.field, h.v); err != nil {
			return "", "", nil, err
		}
	}
	if strings.TrimSpace(c.From) == "" {
		return "", "", nil, errors.New("mail: no sender address configured (set CIVICMON_SMTP_FROM)")
	}
	fromAddr, err := mail.ParseAddress(c.From)
	if err != nil {
		return "", "", nil, fmt.Errorf("mail: sender %q is not an e-mail address (CIVICMON_SMTP_FROM): %v", c.From, err)
	}
	toAddr, err := mail.ParseAddress(m.To)
	if err != nil {
		return "", "", nil, fmt.Errorf("mail: recipient %q is not an e-mail address: %v", m.To, err)
	}

	var b bytes.Buffer
	header := func(k, v string) { fold(&b, k, v) }
	header("Date", now.Format(time.RFC1123Z))
	header("From", fromAddr.String())
	header("To", toAddr.String())
	header("Subject", encodeSubject(m.Subject))
	id := m.MessageID
	if id == "" {
		id = messageID(fromAddr.Address)
	} else if err := checkHeader("Message-ID", id); err != nil {
		return "", "", nil, err
	}
	header("Message-ID", id)
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")

	text := strings.ReplaceAll(m.Text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(text))
	qp.Close()
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return fromAddr.Address, toAddr.Address, b.Bytes(), nil
}

// encodeSubject Q-encodes a subject that is not plain ASCII (mime.QEncoding
// leaves ASCII as it is and splits long text into encoded words).
func encodeSubject(s string) string { return mime.QEncoding.Encode("utf-8", s) }

// maxLine is the line length RFC 5322 asks header lines to keep to.
const maxLine = 78

// fold writes "name: value" with CRLF line ends, folding the value at
// spaces so that lines stay within maxLine where the words allow. Folding
// changes nothing: unfolding restores the spaces, and the space between
// two encoded words is ignored when they are decoded.
func fold(b *bytes.Buffer, name, value string) {
	b.WriteString(name + ":")
	n := len(name) + 1
	// Each token is a run of spaces and the word after it; a fold replaces
	// nothing, it goes before a token's spaces, so no line is only spaces.
	for v := " " + value; v != ""; {
		j := 0
		for j < len(v) && v[j] == ' ' {
			j++
		}
		for j < len(v) && v[j] != ' ' {
			j++
		}
		if strings.TrimLeft(v[j:], " ") == "" {
			j = len(v)
		}
		tok := v[:j]
		v = v[j:]
		if n+len(tok) > maxLine && n > 0 { // n == 0: nothing on this line yet
			b.WriteString("\r\n")
			n = 0
		}
		b.WriteString(tok)
		n += len(tok)
	}
	b.WriteString("\r\n")
}

// messageID returns a unique Message-ID in the sender's domain.
func messageID(from string) string {
	var r [16]byte
	rand.Read(r[:])
	domain := "civicmon.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		domain = from[i+1:]
	}
	return "<" + hex.EncodeToString(r[:]) + "@" + domain + ">"
}
