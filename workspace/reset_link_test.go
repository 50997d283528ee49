package workspace_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon/mail/mailtest"
	"github.com/civicmon/civicmon/web"
	"github.com/civicmon/civicmon/webtest"
)

// resetRequest posts the reset form for the editor with a Host header of
// the sender's choosing.
func resetRequest(t *testing.T, env *webtest.Env, host string) *webtest.Response {
	t.Helper()
	c := env.Client(t)
	token := c.CSRF()
	form := url.Values{"csrf_token": {token}, "email": {"editor@example.org"}}
	req, err := http.NewRequest(http.MethodPost, env.URL+"/admin/password-reset", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = host
	// The client's cookie jar goes by the Host header; send the form's
	// cookie as a browser at the forged host would have it.
	req.AddCookie(&http.Cookie{Name: "civicmon_csrf", Value: token})
	return c.Send(req)
}

// TestResetLinkIgnoresHost: the link in a reset mail is built from the
// configured base URL, never from the request's Host header, so that no
// one can have a link carrying a token sent to a host of their own.
func TestResetLinkIgnoresHost(t *testing.T) {
	smtp := mailtest.Start(t)
	env := webtest.New(t, webtest.Options{Configure: func(c *web.Config) {
		c.Mail, c.BaseURL = smtp.Config(), "https://monitor.example.org"
	}})
	if r := resetRequest(t, env, "evil.example"); r.Status != http.StatusOK {
		t.Fatalf("reset request: %d %s", r.Status, r.Body)
	}
	msgs := smtp.WaitFor(t, 1, 10*time.Second)
	m := resetLink.FindStringSubmatch(msgs[0].Text)
	if m == nil {
		t.Fatalf("no link in the mail: %q", msgs[0].Text)
	}
	if !strings.HasPrefix(m[0], "https://monitor.example.org/admin/password-reset/") || strings.Contains(msgs[0].Text, "evil.example") {
		t.Fatalf("the link follows the request: %q", m[0])
	}
}

// TestResetWithoutBaseURLSendsNothing: with mail but no base URL (serve
// refuses to start so; a server built otherwise), the reset form answers
// that the service is not available, sends nothing, and logs why.
func TestResetWithoutBaseURLSendsNothing(t *testing.T) {
	smtp := mailtest.Start(t)
	env := webtest.New(t, webtest.Options{Configure: func(c *web.Config) { c.Mail = smtp.Config() }})
	r := resetRequest(t, env, "evil.example")
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "not available right now") {
		t.Fatalf("reset request without a base URL: %d %s", r.Status, r.Body)
	}
	time.Sleep(200 * time.Millisecond) // a mail sent would have arrived
	if n := len(smtp.Messages()); n != 0 {
		t.Fatalf("%d mails sent without a base URL", n)
	}
	if !strings.Contains(env.Logs(), "--base-url") {
		t.Errorf("the log does not say why: %s", env.Logs())
	}
}
