package workspace_test

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/mail/mailtest"
	"github.com/civicmon/civicmon/web"
	"github.com/civicmon/civicmon/webtest"
)

// TestResetAnswerSameWork (issue 17, finding 2): the answer to a reset
// request does the same work whether an account has the address or not —
// one request enqueued in the outbox, nothing sent inline, no reset made —
// so its time tells nobody who has an account (inline mail took 51 ms
// against 3 ms). The worker then sends the link to the account, and drops
// the other request.
func TestResetAnswerSameWork(t *testing.T) {
	smtp := mailtest.Start(t)
	env := webtest.New(t, webtest.Options{NoBackground: true, Configure: func(c *web.Config) {
		c.Mail, c.BaseURL = smtp.Config(), "https://monitor.example.org"
	}})
	ctx := context.Background()
	audits := func() int {
		n := 0
		env.Store.AuditLog(ctx, func(e *civicmon.AuditEntry) error {
			if e.Action == "user.password_reset_requested" {
				n++
			}
			return nil
		})
		return n
	}
	c := env.Client(t)
	var bodies []string
	for _, addr := range []string{"editor@example.org", "nobody@example.org"} {
		r := c.Post("/admin/password-reset", url.Values{"email": {addr}})
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "is on its way") {
			t.Fatalf("%s: %d", addr, r.Status)
		}
		bodies = append(bodies, strings.ReplaceAll(r.Body, addr, "ADDRESS"))
	}
	if bodies[0] != bodies[1] {
		t.Error("the answers differ beyond the address")
	}
	ms, err := env.Store.Mails(ctx)
	if err != nil || len(ms) != 2 {
		t.Fatalf("outbox after two requests: %d mails, %v", len(ms), err)
	}
	for i, m := range ms {
		if m.Kind != civicmon.MailPasswordResetRequest || m.Attempts != 0 || strings.Contains(m.Body, "/admin/password-reset/") {
			t.Errorf("request %d: %+v", i, m)
		}
	}
	if ms[0].Subject != ms[1].Subject || ms[0].Body != ms[1].Body {
		t.Error("the two requests were enqueued differently")
	}
	if n := audits(); n != 0 {
		t.Fatalf("%d resets made by the answer itself", n)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(smtp.Messages()); n != 0 {
		t.Fatalf("%d mails sent inline", n)
	}

	// The worker sends the account's link, under the request's
	// Message-ID, and drops the other request.
	t.Cleanup(env.Server.StartBackground(ctx))
	got := smtp.WaitFor(t, 1, 10*time.Second)
	if got[0].To[0] != "editor@example.org" || got[0].Header.Get("Message-ID") != ms[0].MessageID ||
		!strings.Contains(got[0].Text, "https://monitor.example.org/admin/password-reset/") || strings.Contains(got[0].Text, "{{") {
		t.Fatalf("mail: to %v, id %q, text %q", got[0].To, got[0].Header.Get("Message-ID"), got[0].Text)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		ms, _ = env.Store.Mails(ctx)
		if len(ms) == 1 && !ms[0].SentAt.IsZero() || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(ms) != 1 || ms[0].Kind != civicmon.MailPasswordReset || ms[0].SentAt.IsZero() || ms[0].Body != "" {
		t.Fatalf("outbox after the worker: %+v", ms)
	}
	if n := audits(); n != 1 {
		t.Fatalf("%d resets made, want 1", n)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(smtp.Messages()); n != 1 {
		t.Fatalf("%d mails sent, want 1", n)
	}
}

// BenchmarkResetAnswer measures the reset form's answer for an address
// with an account and one without; docs/benchmarks.md has the figures.
// Each request comes from an address of its own (through a trusted
// proxy), so the per-address throttle does not answer instead.
func BenchmarkResetAnswer(b *testing.B) {
	smtp := mailtest.Start(b)
	env := webtest.New(b, webtest.Options{NoBackground: true, Configure: func(c *web.Config) {
		c.Mail, c.BaseURL = smtp.Config(), "https://monitor.example.org"
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}})
	c := env.Client(b)
	token := c.CSRF()
	n := 0
	for _, tc := range []struct{ name, addr string }{{"account", "editor@example.org"}, {"none", "nobody@example.org"}} {
		b.Run(tc.name, func(b *testing.B) {
			form := url.Values{"csrf_token": {token}, "email": {tc.addr}}.Encode()
			for b.Loop() {
				n++
				req, _ := http.NewRequest(http.MethodPost, env.URL+"/admin/password-reset", strings.NewReader(form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255))
				if r := c.Send(req); r.Status != http.StatusOK {
					b.Fatalf("%d %s", r.Status, r.Body)
				}
			}
		})
	}
}
