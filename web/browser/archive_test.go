package browser

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/mail/mailtest"
	"github.com/civicmon/civicmon/password"
	"github.com/civicmon/civicmon/web"
	"github.com/civicmon/civicmon/webtest"
)

// TestArchiveAndReview (issue 13): an editor finds a draft that an import
// left without an author by a word of its title in the archive, assigns it
// to a researcher; the researcher submits it; the editor requests changes
// with a comment, which the researcher receives by mail and sees at the
// top of the draft and in its conversation; the history names each step.
//
// With CIVICMON_SCREENSHOTS set to a directory, it saves the archive, the
// conversation and the history there, to be looked at.
func TestArchiveAndReview(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests: SKIPPED in -short mode")
	}
	exe := findChromium(t)
	ctx := context.Background()
	smtp := mailtest.Start(t)
	env := webtest.New(t, webtest.Options{Configure: func(c *web.Config) {
		c.Mail, c.BaseURL = smtp.Config(), "https://monitor.example.org"
	}})
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
	// What a dossier import leaves: drafts without an author, through the bulk path.
	const title = "Zhanaozen strike anniversary: oil workers arrested"
	if err := env.Store.InsertUpdates(ctx, []civicmon.Update{
		{UID: "dossierimport0000001", CountryCode: "KZ", Title: title, Summary: "Oil workers were arrested on the anniversary.",
			Body: "On 16 December, police arrested oil workers in Zhanaozen.", Language: "en", Status: civicmon.StatusDraft},
		{UID: "dossierimport0000002", CountryCode: "KZ", Title: "Another imported draft", Summary: "Text.", Language: "en", Status: civicmon.StatusDraft},
	}); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(env.URL)
	s := &site{base: env.URL, host: u.Host, logs: &syncBuffer{}}
	s.browser = startBrowser(t, exe)
	shots := os.Getenv("CIVICMON_SCREENSHOTS")
	// shoot saves the page, or with a selector that element of it.
	shoot := func(tb *tab, name, sel string) {
		t.Helper()
		if shots == "" {
			return
		}
		if _, err := chromedp.Run(tb.ctx, chromedp.EmulateViewport(1200, 900)); err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		shot := chromedp.FullScreenshot(100)
		if sel != "" {
			shot = chromedp.Screenshot(chromedp.CSS(sel))
		}
		png, err := chromedp.Run(tb.ctx, shot)
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
	text := func(tb *tab) string { return eval[string](t, tb, `document.body.innerText`) }
	signIn := func(email string) *tab {
		tb := s.open(t, "/admin/login", tabOptions{})
		run(tb, "fill the sign-in form",
			chromedp.SendKeys(chromedp.CSS(`#email`), email),
			chromedp.SendKeys(chromedp.CSS(`#password`), pw))
		submit(tb, "sign in", `form.stack button[type=submit]`)
		return tb
	}

	// The editor finds the imported draft by a word of its title.
	et := signIn("ed@example.org")
	submit(et, "open the archive", `.admin-nav a[href="/admin/archive"]`)
	run(et, "search the imported drafts",
		chromedp.SendKeys(chromedp.CSS(`form.archive-filters input[name=q]`), "zhanaozen"),
		chromedp.Click(chromedp.CSS(`input[name=imported]`)),
		chromedp.Click(chromedp.CSS(`input[name=status][value=draft]`)))
	submit(et, "search", `form.archive-filters button[type=submit]`)
	if q := eval[string](t, et, `location.search`); !strings.Contains(q, "q=zhanaozen") || !strings.Contains(q, "imported=1") {
		t.Fatalf("the archive's state is not in the URL: %q", q)
	}
	rows := eval[[]string](t, et, `[...document.querySelectorAll('table.archive tbody tr')].map(r => r.innerText)`)
	if len(rows) != 1 || !strings.Contains(rows[0], title) || !strings.Contains(rows[0], "imported") || !strings.Contains(rows[0], "no author") {
		t.Fatalf("archive rows: %q", rows)
	}
	shoot(et, "archive", "")

	// Assign it to the researcher, in bulk.
	run(et, "choose the draft and the author",
		chromedp.Click(chromedp.CSS(`table.archive input[name=id]`)),
		chromedp.SetValue(chromedp.CSS(`.bulk select[name=author]`), eval[string](t, et,
			`[...document.querySelectorAll('.bulk select[name=author] option')].find(o => o.textContent === 'Rita Researcher').value`)))
	submit(et, "assign", `button[value=assign]`)
	if msg := text(et); !strings.Contains(msg, "Assigned to a new author: 1 updates.") || !strings.Contains(msg, "Rita Researcher") {
		t.Fatalf("after assigning: %s", msg[:min(len(msg), 600)])
	}

	// The researcher finds it in her archive and submits it.
	rt := signIn("rita@example.org")
	submit(rt, "open her archive", `.admin-nav a[href="/admin/archive"]`)
	submit(rt, "open the draft", `table.archive a`)
	run(rt, "write to the reviewers", chromedp.SendKeys(chromedp.CSS(`#step-comment`), "Ready for review: dates checked against the dossier."))
	submit(rt, "submit", `button[value=submit]`)
	draftURL := eval[string](t, rt, `location.pathname`)
	smtp.WaitFor(t, 1, 10*time.Second) // the reviewers' mail

	// The editor requests changes with a comment.
	et.navigate(t, s.url(draftURL))
	run(et, "write the request", chromedp.SendKeys(chromedp.CSS(`#step-comment`), "Please name the court that ordered the arrests."))
	submit(et, "request changes", `button[value=request_changes]`)
	if msg := text(et); !strings.Contains(msg, "Changes requested: the update is back with its author") {
		t.Fatalf("after requesting changes: %s", msg[:min(len(msg), 600)])
	}

	// The researcher receives it by mail, and sees it on her draft.
	var mailed *mailtest.Received
	deadline := time.Now().Add(10 * time.Second)
	for mailed == nil && time.Now().Before(deadline) {
		for _, m := range smtp.Messages() {
			if m.To[0] == "rita@example.org" && strings.HasPrefix(m.Subject, "Changes requested") {
				mailed = &m
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if mailed == nil || !strings.Contains(mailed.Text, "Please name the court that ordered the arrests.") ||
		!strings.Contains(mailed.Text, "https://monitor.example.org"+draftURL) {
		t.Fatalf("the researcher's mail: %+v", mailed)
	}
	rt.navigate(t, s.url("/admin"))
	rt.navigate(t, s.url(draftURL))
	if req := eval[string](t, rt, `(document.querySelector('.request')||{}).innerText||''`); !strings.Contains(req, "Changes requested by Ed Editor") ||
		!strings.Contains(req, "Please name the court that ordered the arrests.") {
		t.Fatalf("the researcher does not see the request: %q", req)
	}
	comments := eval[[]string](t, rt, `[...document.querySelectorAll('#conversation .comment')].map(c => c.innerText)`)
	if len(comments) != 2 || !strings.Contains(comments[0], "dates checked") || !strings.Contains(comments[1], "Please name the court") {
		t.Fatalf("the conversation: %q", comments)
	}
	run(rt, "answer", chromedp.SendKeys(chromedp.CSS(`#comment-body`), "The Zhanaozen city court; added to the text."))
	submit(rt, "send the answer", `#conversation button[type=submit]`)
	shoot(rt, "request", ".request")
	shoot(rt, "conversation", "#conversation")

	// The history names the steps.
	et.navigate(t, s.url(draftURL+"/history"))
	hist := text(et)
	for _, want := range []string{"Changes requested by Ed Editor", "Submitted for review by Rita Researcher", "Author assigned by Ed Editor",
		"Rita Researcher"} {
		if !strings.Contains(hist, want) {
			t.Errorf("the history lacks %q:\n%s", want, hist)
		}
	}
	shoot(et, "history", "")
}
