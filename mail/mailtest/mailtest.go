// Package mailtest runs a real SMTP server (github.com/emersion/go-smtp) on
// 127.0.0.1 for tests: what the code under test sends arrives over TCP,
// through the same SMTP conversation a production relay would hold, and the
// test reads it back decoded.
//
//	srv := mailtest.Start(t)
//	err := mail.Send(ctx, srv.Config(), mail.Message{To: "ana@example.org", …})
//	got := srv.WaitFor(t, 1, 5*time.Second)
//	// got[0].Subject, got[0].Text are decoded
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/civicmon/civicmon/mail"
)

// From is the sender address of the Config a Server returns.
const From = "Civic Monitor <noreply@civicmon.test>"

// Received is one message as the server got it.
type Received struct {
	From string   // envelope sender (MAIL FROM)
	To   []string // envelope recipients (RCPT TO)
	Data []byte   // the message exactly as received, headers and all
	// Header is the parsed header (undecoded values).
	Header netmail.Header
	// Subject is the decoded subject (RFC 2047 words decoded).
	Subject string
	// Text is the decoded body (quoted-printable or base64 undone) with
	// "\n" line ends.
	Text string
	// Username is who authenticated with AUTH PLAIN, "" for nobody.
	Username string
	// TLS reports whether the message came over TLS (STARTTLS or implicit).
	TLS bool
}

// Options change how the server behaves.
type Options struct {
	// Username and Password, when set, make the server require AUTH PLAIN
	// with them before it accepts a message.
	Username, Password string
	// TLS is "none" (the default), "starttls" (the server offers STARTTLS)
	// or "tls" (TLS from the first byte), with a certificate for 127.0.0.1
	// that CertPool verifies.
	TLS string
}

// Server is a running SMTP server.
type Server struct {
	opts  Options
	smtp  *smtp.Server
	addr  *net.TCPAddr
	roots *x509.CertPool

	mu       sync.Mutex
	messages []Received
	refuse   map[string]int // recipient → SMTP reply code
	changed  chan struct{}  // closed and replaced when a message arrives
}

// Start starts a server on 127.0.0.1 with a port of its own, without TLS or
// authentication; it is closed when the test ends.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith starts a server with the given options.
func StartWith(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{opts: o, changed: make(chan struct{})}
	if o.TLS == "" {
		s.opts.TLS = mail.TLSNone
	}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "localhost"
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.MaxRecipients = 50
	// Authentication over plain TCP is allowed only because this server
	// listens on the loopback interface.
	srv.AllowInsecureAuth = true
	srv.ErrorLog = &testLogger{t: t}

	var tlsConfig *tls.Config
	switch s.opts.TLS {
	case mail.TLSNone:
	case mail.TLSStartTLS, mail.TLSImplicit:
		cert, roots, err := selfSigned()
		if err != nil {
			t.Fatalf("mailtest: certificate: %v", err)
		}
		s.roots = roots
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	default:
		t.Fatalf("mailtest: TLS mode %q is unknown; use none, starttls or tls", o.TLS)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.addr = l.Addr().(*net.TCPAddr)
	if s.opts.TLS == mail.TLSImplicit {
		l = tls.NewListener(l, tlsConfig)
	} else {
		srv.TLSConfig = tlsConfig // non-nil: STARTTLS is offered
	}
	s.smtp = srv
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		// Closed here too: Close misses a listener that Serve has not
		// registered yet.
		l.Close()
		<-done
		srv.ErrorLog.(*testLogger).stop()
	})
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr.String() }

// Config returns a mail.Config that sends to this server, with its TLS
// mode and credentials. With TLS, the server's certificate is only trusted
// by a client given CertPool.
func (s *Server) Config() mail.Config {
	return mail.Config{
		Host:     "127.0.0.1",
		Port:     s.addr.Port,
		Username: s.opts.Username,
		Password: s.opts.Password,
		From:     From,
		TLS:      s.opts.TLS,
	}
}

// CertPool holds the certificate the server presents (nil without TLS).
func (s *Server) CertPool() *x509.CertPool { return s.roots }

// Messages returns the messages received so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.messages...)
}

// WaitFor waits until at least n messages have arrived and returns them all;
// it fails the test when they have not come within timeout.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := len(s.messages), s.changed
		s.mu.Unlock()
		if got >= n {
			return s.Messages()
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("mailtest: %d message(s) arrived within %s, want %d", got, timeout, n)
			return nil
		}
	}
}

func (s *Server) add(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, r)
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &session{srv: s, tls: isTLS}, nil
}

type session struct {
	srv  *Server
	tls  bool
	user string
	from string
	to   []string
}

func (ss *session) authRequired() bool { return ss.srv.opts.Username != "" }

func (ss *session) AuthMechanisms() []string {
	if !ss.authRequired() {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || !ss.authRequired() {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.srv.opts.Username || password != ss.srv.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.user = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.authRequired() && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

// Refuse makes the server answer RCPT TO for the address with the SMTP
// reply code (451: try later; 550: no such mailbox), or accept it again
// when code is 0.
func (s *Server) Refuse(addr string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse == nil {
		s.refuse = map[string]int{}
	}
	s.refuse[strings.ToLower(addr)] = code
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.srv.mu.Lock()
	code := ss.srv.refuse[strings.ToLower(to)]
	ss.srv.mu.Unlock()
	if code != 0 {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 1, 1}, Message: "mailtest: refused"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	rec := Received{From: ss.from, To: append([]string(nil), ss.to...), Data: raw, Username: ss.user, TLS: ss.tls}
	if err := decode(&rec); err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "mailtest: " + err.Error()}
	}
	ss.srv.add(rec)
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// decode fills in the header, subject and text of r from its raw data.
func decode(r *Received) error {
	msg, err := netmail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return fmt.Errorf("message does not parse: %w", err)
	}
	r.Header = msg.Header
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return fmt.Errorf("subject does not decode: %w", err)
	}
	r.Subject = subject
	var body io.Reader = msg.Body
	switch cte := strings.ToLower(strings.TrimSpace(msg.Header.Get("Content-Transfer-Encoding"))); cte {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, newlineStripper{body})
	case "", "7bit", "8bit", "binary":
	default:
		return fmt.Errorf("unknown Content-Transfer-Encoding %q", cte)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("body does not decode: %w", err)
	}
	r.Text = strings.ReplaceAll(string(text), "\r\n", "\n")
	return nil
}

// newlineStripper drops line breaks, which base64 bodies carry every 76
// characters.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		j := 0
		for _, b := range p[:k] {
			if b != '\r' && b != '\n' {
				p[j] = b
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// selfSigned makes a short-lived certificate for 127.0.0.1 and localhost.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots, nil
}

// testLogger sends the server's error log to the test's log while the test
// runs, and drops it after (a goroutine must not log to a finished test).
type testLogger struct {
	mu      sync.Mutex
	t       testing.TB
	stopped bool
}

func (l *testLogger) Printf(format string, v ...any) { l.log(fmt.Sprintf(format, v...)) }
func (l *testLogger) Println(v ...any)               { l.log(fmt.Sprintln(v...)) }

func (l *testLogger) log(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Logf("mailtest: %s", strings.TrimRight(s, "\n"))
	}
}

func (l *testLogger) stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
}
