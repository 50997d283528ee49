package workspace_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon/mail/mailtest"
	"github.com/civicmon/civicmon/web"
	"github.com/civicmon/civicmon/webtest"
)

var resetLink = regexp.MustCompile(`https?://\S+/admin/password-reset/(\S+)`)

// TestPasswordResetByMail: the mail reaches a real SMTP server, and its
// link sets a new password once only.
func TestPasswordResetByMail(t *testing.T) {
	smtp := mailtest.Start(t)
	env := webtest.New(t, webtest.Options{Configure: func(c *web.Config) { c.Mail, c.BaseURL = smtp.Config(), "http://monitor.example.org" }})
	c := env.Client(t)
	r := c.Post("/admin/password-reset", url.Values{"email": {"Editor@Example.org"}})
	if r.Status != 200 || !strings.Contains(r.Body, "a link to reset its password is on its way") {
		t.Fatalf("request: %d", r.Status)
	}
	// An unknown address gets the same answer and no mail.
	if r := c.Post("/admin/password-reset", url.Values{"email": {"nobody@example.org"}}); !strings.Contains(r.Body, "is on its way") {
		t.Fatal("an unknown address is answered differently")
	}
	msgs := smtp.WaitFor(t, 1, 10*time.Second)
	if len(msgs) != 1 || msgs[0].To[0] != "editor@example.org" {
		t.Fatalf("mail: %+v", msgs)
	}
	m := resetLink.FindStringSubmatch(msgs[0].Text)
	if m == nil {
		t.Fatalf("no link in the mail: %q", msgs[0].Text)
	}
	path := "/admin/password-reset/" + m[1]
	if r := c.Get(path); r.Status != 200 {
		t.Fatalf("open the link: %d", r.Status)
	}
	newPW := url.Values{"password": {"a brand new password"}, "password2": {"a brand new password"}}
	if r := c.Post(path, newPW); r.Status != http.StatusSeeOther {
		t.Fatalf("set the password: %d %s", r.Status, r.Body)
	}
	if r := c.Post(path, newPW); r.Status != http.StatusGone || !strings.Contains(r.Body, "already used") {
		t.Fatalf("the link used twice: %d", r.Status)
	}
	if r := env.Client(t).Login("editor@example.org", webtest.Password); r.Status != http.StatusUnauthorized {
		t.Fatalf("the old password still works: %d", r.Status)
	}
	if r := env.Client(t).Login("editor@example.org", "a brand new password"); r.Status != http.StatusSeeOther {
		t.Fatalf("the new password does not work: %d", r.Status)
	}
	if len(smtp.Messages()) != 1 {
		t.Fatalf("%d mails sent, want 1 (none for the unknown address)", len(smtp.Messages()))
	}
}

// TestPasswordResetForms: without mail the form says so; the new password
// must be typed twice the same and be long enough.
func TestPasswordResetForms(t *testing.T) {
	env := webtest.New(t)
	env.Run(t,
		webtest.Scenario{URL: "/admin/password-reset", Contains: []string{`action="/admin/password-reset"`, `name="email"`}},
		webtest.Scenario{Method: "POST", URL: "/admin/password-reset", Form: url.Values{"email": {"editor@example.org"}},
			Status: http.StatusServiceUnavailable, Contains: []string{"not available right now", `value="editor@example.org"`}},
		webtest.Scenario{URL: "/admin/password-reset/a-token", Contains: []string{`action="/admin/password-reset/a-token"`, `name="password2"`}},
		webtest.Scenario{Method: "POST", URL: "/admin/password-reset/a-token", Form: url.Values{"password": {"a long password"}, "password2": {"another long password"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"The two passwords differ."}},
		webtest.Scenario{Method: "POST", URL: "/admin/password-reset/a-token", Form: url.Values{"password": {"short"}, "password2": {"short"}},
			Status: http.StatusUnprocessableEntity},
		webtest.Scenario{Method: "POST", URL: "/admin/password-reset/a-token", Form: url.Values{"password": {"a long password"}, "password2": {"a long password"}},
			Status: http.StatusGone},
	)
}
