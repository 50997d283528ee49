package browser

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/password"
	"github.com/civicmon/civicmon/webtest"
)

// TestEditorialWorkflow: a researcher signs in, writes a draft and submits
// it; an editor publishes it; it appears on the country page, and the
// researcher's private note appears nowhere public.
func TestEditorialWorkflow(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests: SKIPPED in -short mode")
	}
	exe := findChromium(t)
	ctx := context.Background()
	env := webtest.New(t)
	const pw = "a long enough password"
	hash, err := password.Hash(pw, password.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []civicmon.User{
		{Email: "rita@example.org", Name: "Rita Researcher", Role: civicmon.RoleResearcher, PasswordHash: hash},
		{Email: "ed@example.org", Name: "Ed Editor", Role: civicmon.RoleEditor, PasswordHash: hash},
	} {
		if err := env.Store.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	u, _ := url.Parse(env.URL)
	s := &site{base: env.URL, host: u.Host, logs: &syncBuffer{}}
	s.browser = startBrowser(t, exe)

	const title = "Journalists detained after reporting on the Almaty protests"
	const note = "PRIVATE-NOTE-7f3a: source is the cousin of a detainee"

	run := func(tb *tab, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		for _, a := range actions {
			if _, err := chromedp.Run(tb.ctx, a); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
	}
	submit := func(tb *tab, what, sel string) {
		t.Helper()
		resp, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if resp.Status != 200 {
			t.Fatalf("%s: HTTP %d", what, resp.Status)
		}
	}
	signIn := func(email string) *tab {
		tb := s.open(t, "/admin", tabOptions{})
		if p := eval[string](t, tb, `location.pathname`); p != "/admin/login" {
			t.Fatalf("/admin without an account shows %s, want the sign-in form", p)
		}
		run(tb, "fill the sign-in form",
			chromedp.SendKeys(chromedp.CSS(`#email`), email),
			chromedp.SendKeys(chromedp.CSS(`#password`), pw))
		submit(tb, "sign in", `form.stack button[type=submit]`)
		if p := eval[string](t, tb, `location.pathname`); p != "/admin" {
			t.Fatalf("after signing in as %s: %s", email, p)
		}
		return tb
	}

	// The researcher writes and submits.
	rt := signIn("rita@example.org")
	submit(rt, "open the editor", `a[href="/admin/updates/new"]`)
	run(rt, "write the draft",
		chromedp.SetValue(chromedp.CSS(`#country`), "KZ"),
		chromedp.SendKeys(chromedp.CSS(`#title`), title),
		chromedp.SendKeys(chromedp.CSS(`#summary`), "Three journalists were detained in Almaty."),
		chromedp.SendKeys(chromedp.CSS(`#body`), "Three journalists were **detained** after covering the protests."),
		chromedp.Click(chromedp.CSS(`input[name=freedoms][value=expression]`)),
		chromedp.Click(chromedp.CSS(`input[name=violations][value=detention-of-journalists]`)),
		chromedp.SendKeys(chromedp.CSS(`#internal_notes`), note))
	submit(rt, "save the draft", `button[value=save]`)
	if msg := eval[string](t, rt, `(document.querySelector('.ok')||{}).textContent||document.body.innerText.slice(0,500)`); !strings.Contains(msg, "Saved") {
		t.Fatalf("saving the draft: %s", msg)
	}
	submit(rt, "submit for review", `button[value=submit]`)
	if st := eval[string](t, rt, `document.querySelector('.meta strong').textContent`); st != "In review" {
		t.Fatalf("after submitting, status %q", st)
	}
	if n := eval[int](t, rt, `document.querySelectorAll('button[value=publish]').length`); n != 0 {
		t.Fatal("the researcher is offered Publish")
	}

	// The editor publishes from the review queue.
	et := signIn("ed@example.org")
	if !eval[bool](t, et, `[...document.querySelectorAll('table a')].some(a => a.textContent === `+jsonString(title)+`)`) {
		t.Fatal("the draft is not in the editor's review queue")
	}
	run(et, "open the draft", chromedp.Click(chromedp.CSS(`table a`)))
	run(et, "wait for the editor", chromedp.WaitVisible(chromedp.CSS(`button[value=publish]`)))
	submit(et, "publish", `button[value=publish]`)
	// Publishing asks first, on a page of its own.
	if h := eval[string](t, et, `document.querySelector('h1').textContent`); !strings.HasPrefix(h, "Publish “") {
		t.Fatalf("publishing did not ask first: %q", h)
	}
	submit(et, "confirm", `form:has(input[name=confirm]) button[type=submit]`)
	if st := eval[string](t, et, `document.querySelector('.meta strong').textContent`); st != "Published" {
		t.Fatalf("after publishing, status %q", st)
	}

	// The public sees it, without the private note.
	pub := s.open(t, "/countries/kazakhstan", tabOptions{})
	text := eval[string](t, pub, `document.body.innerText`)
	if !strings.Contains(text, title) {
		t.Fatal("the published update is not on the country page")
	}
	submit(pub, "open the update", `ol.updates a[href*="journalists-detained-after"]`)
	text = eval[string](t, pub, `document.documentElement.outerHTML`)
	if !strings.Contains(text, "Three journalists were") {
		t.Fatal("the update page lacks its text")
	}
	for _, path := range []string{"/countries/kazakhstan", "/", "/tags/detention-of-journalists", "/freedoms/expression", "/sitemaps/updates-1.xml"} {
		tb := s.open(t, path, tabOptions{})
		if html := eval[string](t, tb, `document.documentElement.outerHTML`); strings.Contains(html, "PRIVATE-NOTE-7f3a") {
			t.Errorf("%s shows the researcher's private note", path)
		}
	}
	if strings.Contains(text, "PRIVATE-NOTE-7f3a") {
		t.Error("the update page shows the researcher's private note")
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
