package mailtest_test

import (
	"fmt"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon/mail/mailtest"
)

// Mail built by another client, base64 and all, decodes too.
func TestDecodesBase64(t *testing.T) {
	srv := mailtest.Start(t)
	raw := "From: a@example.org\r\n" +
		"To: b@example.org, c@example.org\r\n" +
		"Subject: =?UTF-8?B?0JDQu9C80LDRgtGL?=\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		"0J/RgNC40LLQtdGCLApsaW5lIHR3bw0K\r\n"
	if err := smtp.SendMail(srv.Addr(), nil, "a@example.org", []string{"b@example.org", "c@example.org"}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	m := srv.WaitFor(t, 1, 5*time.Second)[0]
	if m.From != "a@example.org" || strings.Join(m.To, ",") != "b@example.org,c@example.org" {
		t.Fatalf("envelope %q → %q", m.From, m.To)
	}
	if m.Subject != "Алматы" || m.Text != "Привет,\nline two\n" || m.TLS || m.Username != "" {
		t.Fatalf("received %+v", m)
	}
	if !strings.HasPrefix(string(m.Data), "From: a@example.org\r\n") {
		t.Fatalf("raw data = %q", m.Data)
	}
}

// WaitFor fails the test when the messages do not come.
func TestWaitForTimesOut(t *testing.T) {
	srv := mailtest.Start(t)
	ft := &fakeT{TB: t}
	start := time.Now()
	if got := srv.WaitFor(ft, 1, 50*time.Millisecond); got != nil || time.Since(start) > 10*time.Second {
		t.Fatalf("WaitFor = %v after %s", got, time.Since(start))
	}
	if !strings.Contains(ft.msg, "0 message(s) arrived within 50ms, want 1") {
		t.Fatalf("WaitFor failed with %q", ft.msg)
	}
}

// fakeT records Fatalf instead of ending the test.
type fakeT struct {
	testing.TB
	msg string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(format string, args ...any) { f.msg = fmt.Sprintf(format, args...) }
