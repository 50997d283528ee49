package mail_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"mime"
	"net"
	netmail "net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon/mail"
	"github.com/civicmon/civicmon/mail/mailtest"
)

const wait = 5 * time.Second

// hung is how long a call that should give up at once may take before the
// test calls it hung: far above the deadlines it is given, so that a
// loaded CI machine cannot trip it.
const hung = 10 * time.Second

func send(t *testing.T, c mail.Config, m mail.Message) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return mail.Send(ctx, c, m)
}

func TestSendNonASCII(t *testing.T) {
	srv := mailtest.Start(t)
	subject := "Réinitialisation du mot de passe — Алматы 🔑"
	text := "Bonjour Ана,\n\n" +
		"Pour choisir un nouveau mot de passe, ouvrez ce lien dans l'heure qui vient : " +
		"https://monitor.example.org/reset?token=abc=def&lang=fr\n" +
		".a line that starts with a dot\n" +
		".\n" +
		"From the editors, with trailing spaces   \n" +
		"Ω ≠ 1 = 2\r\n" +
		"Спасибо"
	if err := send(t, srv.Config(), mail.Message{To: "Ана Müller <Ana@Example.org>", Subject: subject, Text: text}); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 1, wait)
	if len(got) != 1 {
		t.Fatalf("%d messages, want 1", len(got))
	}
	m := got[0]
	if m.From != "noreply@civicmon.test" || len(m.To) != 1 || m.To[0] != "Ana@Example.org" {
		t.Fatalf("envelope from %q to %q", m.From, m.To)
	}
	if m.Subject != subject {
		t.Errorf("subject = %q, want %q", m.Subject, subject)
	}
	wantText := strings.ReplaceAll(text, "\r\n", "\n") + "\n"
	if m.Text != wantText {
		t.Errorf("text =\n%q\nwant\n%q", m.Text, wantText)
	}
	for k, want := range map[string]string{
		"MIME-Version":              "1.0",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
	} {
		if v := m.Header.Get(k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	if d, err := m.Header.Date(); err != nil || time.Since(d).Abs() > time.Minute {
		t.Errorf("Date = %q (%v)", m.Header.Get("Date"), err)
	}
	if id := m.Header.Get("Message-ID"); !regexp.MustCompile(`^<[0-9a-f]{32}@civicmon\.test>$`).MatchString(id) {
		t.Errorf("Message-ID = %q", id)
	}
	from, err := m.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Civic Monitor" || from[0].Address != "noreply@civicmon.test" {
		t.Errorf("From = %q → %v, %v", m.Header.Get("From"), from, err)
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Ана Müller" || to[0].Address != "Ana@Example.org" {
		t.Errorf("To = %q → %v, %v", m.Header.Get("To"), to, err)
	}
	// On the wire: 7-bit, CRLF line ends, short lines.
	for i, line := range bytes.Split(m.Data, []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 78 {
			t.Errorf("line %d is %d characters long: %q", i+1, len(line), line)
		}
		for _, c := range line {
			if c >= 0x80 {
				t.Fatalf("line %d is not 7-bit: %q", i+1, line)
			}
		}
	}
}

func TestSendPlainASCII(t *testing.T) {
	srv := mailtest.Start(t)
	if err := send(t, srv.Config(), mail.Message{To: "ed@example.org", Subject: "Reset your password", Text: "Hello\n"}); err != nil {
		t.Fatal(err)
	}
	m := srv.WaitFor(t, 1, wait)[0]
	if got := m.Header.Get("Subject"); got != "Reset your password" {
		t.Errorf("an ASCII subject was encoded: %q", got)
	}
	if m.Text != "Hello\n" {
		t.Errorf("text = %q", m.Text)
	}
}

func TestHeaderInjectionRefused(t *testing.T) {
	srv := mailtest.Start(t)
	cfg := srv.Config()
	for name, c := range map[string]struct {
		cfg   mail.Config
		msg   mail.Message
		field string
	}{
		"to":         {cfg, mail.Message{To: "ana@example.org\r\nBcc: all@example.org", Subject: "x", Text: "x"}, "recipient"},
		"to LF":      {cfg, mail.Message{To: "ana@example.org\nBcc: all@example.org", Subject: "x", Text: "x"}, "recipient"},
		"subject":    {cfg, mail.Message{To: "ana@example.org", Subject: "Reset\r\nBcc: all@example.org", Text: "x"}, "subject"},
		"subject CR": {cfg, mail.Message{To: "ana@example.org", Subject: "Reset\rBcc: all@example.org", Text: "x"}, "subject"},
		"from":       {func() mail.Config { c := cfg; c.From = "x@example.org\nBcc: all@example.org"; return c }(), mail.Message{To: "ana@example.org", Subject: "x", Text: "x"}, "sender"},
	} {
		err := send(t, c.cfg, c.msg)
		var hi *mail.HeaderInjectionError
		if !errors.As(err, &hi) {
			t.Errorf("%s: err = %v, want a HeaderInjectionError", name, err)
			continue
		}
		if !strings.Contains(err.Error(), c.field) || !strings.Contains(err.Error(), "line break") {
			t.Errorf("%s: error does not say what is wrong: %v", name, err)
		}
	}
	// A line break in the body is text, not an injection.
	if err := send(t, cfg, mail.Message{To: "ana@example.org", Subject: "ok", Text: "a\r\nBcc: all@example.org\r\n\r\nb"}); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 1, wait)
	time.Sleep(50 * time.Millisecond)
	if got = srv.Messages(); len(got) != 1 || got[0].Header.Get("Bcc") != "" || len(got[0].To) != 1 {
		t.Fatalf("messages = %+v", got)
	}
}

func TestBadAddresses(t *testing.T) {
	srv := mailtest.Start(t)
	cfg := srv.Config()
	if err := send(t, cfg, mail.Message{To: "not an address", Subject: "x", Text: "x"}); err == nil || !strings.Contains(err.Error(), "recipient") {
		t.Errorf("bad recipient: %v", err)
	}
	cfg.From = ""
	if err := send(t, cfg, mail.Message{To: "ana@example.org", Subject: "x", Text: "x"}); err == nil || !strings.Contains(err.Error(), "CIVICMON_SMTP_FROM") {
		t.Errorf("no sender: %v", err)
	}
	cfg = srv.Config()
	cfg.TLS = "ssl"
	if err := send(t, cfg, mail.Message{To: "ana@example.org", Subject: "x", Text: "x"}); err == nil || !strings.Contains(err.Error(), "CIVICMON_SMTP_TLS") {
		t.Errorf("unknown TLS mode: %v", err)
	}
	if err := send(t, mail.Config{}, mail.Message{To: "ana@example.org", Subject: "x", Text: "x"}); err == nil || !strings.Contains(err.Error(), "CIVICMON_SMTP_HOST") {
		t.Errorf("no host: %v", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages arrived", n)
	}
}

func TestUnreachableServer(t *testing.T) {
	msg := mail.Message{To: "ana@example.org", Subject: "x", Text: "x"}

	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().(*net.TCPAddr)
		l.Close()
		cfg := mail.Config{Host: "127.0.0.1", Port: addr.Port, From: "noreply@example.org", TLS: "none"}
		start := time.Now()
		err = send(t, cfg, msg)
		if err == nil || !strings.Contains(err.Error(), addr.String()) || !strings.Contains(err.Error(), "cannot connect") {
			t.Fatalf("err = %v, want one that names %s", err, addr)
		}
		if d := time.Since(start); d > hung {
			t.Fatalf("took %s", d)
		}
	})

	// A server that accepts the connection and never says a word: Send
	// must give up when ctx does.
	t.Run("silent server", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				defer c.Close()
			}
		}()
		port := l.Addr().(*net.TCPAddr).Port
		for _, mode := range []string{"none", "starttls", "tls"} {
			cfg := mail.Config{Host: "127.0.0.1", Port: port, From: "noreply@example.org", TLS: mode}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			start := time.Now()
			err := mail.Send(ctx, cfg, msg)
			cancel()
			d := time.Since(start)
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), l.Addr().String()) {
				t.Errorf("%s: err = %v, want a deadline error naming the server", mode, err)
			}
			if d > hung {
				t.Errorf("%s: Send returned after %s with a 300ms deadline", mode, d)
			}
		}

		// Cancellation without a deadline ends the conversation too.
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		err = mail.Send(ctx, mail.Config{Host: "127.0.0.1", Port: port, From: "noreply@example.org", TLS: "none"}, msg)
		if !errors.Is(err, context.Canceled) || time.Since(start) > hung {
			t.Errorf("cancelled: err = %v after %s", err, time.Since(start))
		}
	})
}

func TestAuthToLocalhost(t *testing.T) {
	srv := mailtest.StartWith(t, mailtest.Options{Username: "civicmon", Password: "s3cret"})
	if err := send(t, srv.Config(), mail.Message{To: "ana@example.org", Subject: "x", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if m := srv.WaitFor(t, 1, wait)[0]; m.Username != "civicmon" || m.TLS {
		t.Fatalf("username %q, TLS %v", m.Username, m.TLS)
	}
	bad := srv.Config()
	bad.Password = "wrong"
	err := send(t, bad, mail.Message{To: "ana@example.org", Subject: "x", Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "AUTH") {
		t.Fatalf("wrong password: %v", err)
	}
	noAuth := srv.Config()
	noAuth.Username, noAuth.Password = "", ""
	if err := send(t, noAuth, mail.Message{To: "ana@example.org", Subject: "x", Text: "x"}); err == nil {
		t.Fatal("a server that requires AUTH took a message without it")
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}

func TestNoPasswordInTheClear(t *testing.T) {
	// Refused before any connection: the host does not even resolve.
	cfg := mail.Config{Host: "smtp.invalid", Username: "u", Password: "p", From: "noreply@example.org", TLS: "none"}
	err := send(t, cfg, mail.Message{To: "ana@example.org", Subject: "x", Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "in the clear") {
		t.Fatalf("err = %v", err)
	}
}

func TestSTARTTLS(t *testing.T) {
	srv := mailtest.StartWith(t, mailtest.Options{TLS: "starttls", Username: "civicmon", Password: "s3cret"})
	cfg := srv.Config()
	// The test certificate is not trusted by the system: verification is on.
	err := send(t, cfg, mail.Message{To: "ana@example.org", Subject: "x", Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted certificate: err = %v", err)
	}
	cfg = mail.WithRootCAs(cfg, srv.CertPool())
	if err := send(t, cfg, mail.Message{To: "ana@example.org", Subject: "Über", Text: "ça"}); err != nil {
		t.Fatal(err)
	}
	m := srv.WaitFor(t, 1, wait)[0]
	if !m.TLS || m.Username != "civicmon" || m.Subject != "Über" || m.Text != "ça\n" {
		t.Fatalf("received %+v", m)
	}
}

func TestSTARTTLSRequired(t *testing.T) {
	srv := mailtest.Start(t) // offers no STARTTLS
	cfg := srv.Config()
	cfg.TLS = "" // the default: starttls
	err := send(t, cfg, mail.Message{To: "ana@example.org", Subject: "x", Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "does not offer STARTTLS") {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages sent in the clear", n)
	}
}

func TestImplicitTLS(t *testing.T) {
	srv := mailtest.StartWith(t, mailtest.Options{TLS: "tls", Username: "civicmon", Password: "s3cret"})
	cfg := mail.WithRootCAs(srv.Config(), srv.CertPool())
	if err := send(t, cfg, mail.Message{To: "ana@example.org", Subject: "x", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if m := srv.WaitFor(t, 1, wait)[0]; !m.TLS || m.Username != "civicmon" {
		t.Fatalf("received %+v", m)
	}
}

func TestLongSubjectFolds(t *testing.T) {
	subject := strings.Repeat("Réinitialisez votre mot de passe sur Civic Monitor — ", 4)
	cfg := mail.Config{Host: "localhost", From: "noreply@example.org"}
	_, _, raw, err := mail.Build(cfg, mail.Message{To: "a@example.org", Subject: subject, Text: "x"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if len(sc.Text()) > 78 {
			t.Errorf("header line too long (%d): %q", len(sc.Text()), sc.Text())
		}
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || got != subject {
		t.Fatalf("subject decodes to %q, %v", got, err)
	}
}

func TestEnabledAndFromEnv(t *testing.T) {
	if (mail.Config{}).Enabled() {
		t.Fatal("empty config is enabled")
	}
	t.Setenv("CIVICMON_SMTP_HOST", "smtp.example.org")
	t.Setenv("CIVICMON_SMTP_PORT", "2525")
	t.Setenv("CIVICMON_SMTP_USERNAME", "u")
	t.Setenv("CIVICMON_SMTP_PASSWORD", "p w")
	t.Setenv("CIVICMON_SMTP_FROM", "Civic Monitor <noreply@example.org>")
	t.Setenv("CIVICMON_SMTP_TLS", "TLS")
	got := mail.FromEnv()
	want := mail.Config{Host: "smtp.example.org", Port: 2525, Username: "u", Password: "p w", From: "Civic Monitor <noreply@example.org>", TLS: "tls"}
	if got != want || !got.Enabled() {
		t.Fatalf("FromEnv = %+v, want %+v", got, want)
	}
}

func TestHeaderFolding(t *testing.T) {
	cfg := mail.Config{Host: "localhost", From: "noreply@example.org"}
	for _, subject := range []string{
		"",
		"Short",
		"  leading and  double  spaces and trailing  ",
		strings.Repeat("word ", 40),
		strings.Repeat("x", 120) + " tail",
		"Réinitialisation — " + strings.Repeat("ü", 100),
	} {
		_, _, raw, err := mail.Build(cfg, mail.Message{To: "a@example.org", Subject: subject, Text: "x"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
		for _, line := range strings.Split(string(head), "\r\n") {
			if strings.TrimSpace(line) == "" {
				t.Errorf("%q: a header line holds only white space", subject)
			}
			if len(line) > 78 && !strings.Contains(line, strings.Repeat("x", 120)) {
				t.Errorf("%q: line too long (%d): %q", subject, len(line), line)
			}
		}
		msg, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		want := strings.TrimSpace(subject) // net/mail trims the value's ends
		if err != nil || got != want {
			t.Errorf("subject decodes to %q, %v; want %q", got, err, want)
		}
	}
}
