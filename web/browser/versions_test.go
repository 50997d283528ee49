package browser

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/password"
	"github.com/civicmon/civicmon/webtest"
)

// workspaceSite starts the site with two people who sign in with a
// password: an editor and an admin.
func workspaceSite(t *testing.T) (*site, *webtest.Env, func(email string) *tab) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests: SKIPPED in -short mode")
	}
	exe := findChromium(t)
	env := webtest.New(t)
	const pw = "a long enough password"
	hash, err := password.Hash(pw, password.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []civicmon.User{
		{Email: "ed@example.org", Name: "Ed Editor", Role: civicmon.RoleEditor, PasswordHash: hash},
		{Email: "ada@example.org", Name: "Ada Admin", Role: civicmon.RoleAdmin, PasswordHash: hash},
	} {
		if err := env.Store.CreateUser(context.Background(), &u); err != nil {
			t.Fatal(err)
		}
	}
	u, _ := url.Parse(env.URL)
	s := &site{base: env.URL, host: u.Host, logs: &syncBuffer{}}
	s.browser = startBrowser(t, exe)
	signIn := func(email string) *tab {
		t.Helper()
		tb := s.open(t, "/admin/login", tabOptions{})
		do(t, tb, "fill the sign-in form",
			chromedp.SendKeys(chromedp.CSS(`#email`), email),
			chromedp.SendKeys(chromedp.CSS(`#password`), pw))
		if st := post(t, tb, "sign in", `form.stack button[type=submit]`); st != 200 {
			t.Fatalf("sign in: HTTP %d", st)
		}
		return tb
	}
	return s, env, signIn
}

func do(t *testing.T, tb *tab, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for _, a := range actions {
		if _, err := chromedp.Run(tb.ctx, a); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
}

// post clicks a submit button and returns the status of the page it loads.
func post(t *testing.T, tb *tab, what, sel string) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return resp.Status
}

// screenshot keeps the window (the top of the page) as a PNG in CIVICMON_SCREENSHOTS, when set, to
// be looked at.
func screenshot(t *testing.T, tb *tab, name string) {
	t.Helper()
	dir := os.Getenv("CIVICMON_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestConflictInTwoTabs: two people edit the same update in two tabs. The
// second save shows the conflict page — both versions, the changed fields
// marked — with the second person's text still in the form; they take the
// other's summary and save, and neither edit is lost.
func TestConflictInTwoTabs(t *testing.T) {
	s, env, signIn := workspaceSite(t)
	draft := env.Drafts[civicmon.RoleEditor]
	path := fmt.Sprintf("/admin/updates/%d", draft.ID)
	ed, ada := signIn("ed@example.org"), signIn("ada@example.org")
	ed.navigate(t, s.url(path))
	ada.navigate(t, s.url(path))

	do(t, ada, "edit the summary", chromedp.SetValue(chromedp.CSS(`#summary`), "Ada's summary, saved first."))
	if st := post(t, ada, "save in the first tab", `#save`); st != 200 {
		t.Fatalf("first save: HTTP %d", st)
	}
	const title = "Ed's title, typed in the older tab"
	const body = "Ed's long paragraph, which must not be lost."
	do(t, ed, "edit the title and text",
		chromedp.SetValue(chromedp.CSS(`#title`), title),
		chromedp.SetValue(chromedp.CSS(`#body`), body))
	if st := post(t, ed, "save in the older tab", `#save`); st != 409 {
		t.Fatalf("the save from the older version: HTTP %d, want 409", st)
	}
	if h1 := eval[string](t, ed, `document.querySelector('h1').textContent`); !strings.Contains(h1, "Someone else saved this update") {
		t.Fatalf("the conflict page's heading: %q", h1)
	}
	if v := eval[string](t, ed, `document.querySelector('#title').value + '|' + document.querySelector('#body').value`); v != title+"|"+body {
		t.Fatalf("the form lost what was typed: %q", v)
	}
	changed := eval[[]string](t, ed, `[...document.querySelectorAll('table.compare tr.changed th')].map(th => th.firstChild.textContent.trim())`)
	if strings.Join(changed, ",") != "Title,Summary,Text (Markdown)" {
		t.Errorf("fields marked as changed: %q", changed)
	}
	if !eval[bool](t, ed, `document.querySelector('table.compare').innerText.includes("Ada's summary, saved first.")`) {
		t.Error("the conflict page does not show the other version")
	}
	if focused := eval[string](t, ed, `document.activeElement.className`); focused != "conflict" {
		t.Errorf("the focus is on %q, not the conflict's explanation", focused)
	}
	screenshot(t, ed, "conflict-page")

	// Merge by hand: Ada's summary, Ed's title and text.
	if st := post(t, ed, "take the saved summary", `button[value=take-summary]`); st != 200 {
		t.Fatalf("take the saved summary: HTTP %d", st)
	}
	if v := eval[string](t, ed, `document.querySelector('#summary').value`); v != "Ada's summary, saved first." {
		t.Fatalf("the summary after taking the saved one: %q", v)
	}
	if st := post(t, ed, "save the merge", `#save`); st != 200 {
		t.Fatalf("save the merge: HTTP %d", st)
	}
	got, err := env.Store.UpdateByID(context.Background(), draft.ID)
	if err != nil || got.Title != title || got.Body != body || got.Summary != "Ada's summary, saved first." {
		t.Fatalf("after the merge: %q / %q / %q (%v)", got.Title, got.Summary, got.Body, err)
	}
}

// TestFiveMistakes: a form with five mistakes at once shows all five,
// each beside its field in the form's words and in the summary at the
// top, which has the focus; the values typed are kept, and each link of
// the summary moves the focus to its field.
func TestFiveMistakes(t *testing.T) {
	s, _, signIn := workspaceSite(t)
	ed := signIn("ed@example.org")
	ed.navigate(t, s.url("/admin/updates/new"))
	do(t, ed, "fill the form with five mistakes",
		// 1: no country; 2: no title.
		chromedp.SetValue(chromedp.CSS(`#summary`), "Kept summary"),
		chromedp.SetValue(chromedp.CSS(`#published_on`), "2026-02-30"), // 3: no such day
		chromedp.SetValue(chromedp.CSS(`#inc0f`), "peaceful-assembly"),
		chromedp.SetValue(chromedp.CSS(`#inc0p`), "Almaty"), // 4: no violation type
		chromedp.SetValue(chromedp.CSS(`#inc0n`), "-5"))     // 5: a negative count
	if st := post(t, ed, "save", `#save`); st != 422 {
		t.Fatalf("save with five mistakes: HTTP %d, want 422", st)
	}
	links := eval[[]string](t, ed, `[...document.querySelectorAll('.error-summary a')].map(a => a.getAttribute('href') + ' ' + a.textContent)`)
	want := []string{"#country Choose a country", "#title Enter a title", "#published_on 2026-02-30 is not a date that exists",
		"#inc0v Incident 1: Choose a violation type", "#inc0n Incident 1: Enter a number of 0 or more (leave it empty when it is not known)"}
	if strings.Join(links, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the summary's links:\n%s\nwant:\n%s", strings.Join(links, "\n"), strings.Join(want, "\n"))
	}
	if role := eval[string](t, ed, `document.activeElement.getAttribute('role')`); role != "alert" {
		t.Errorf("the focus is not on the summary (role %q)", role)
	}
	for _, id := range []string{"country", "title", "published_on", "inc0v", "inc0n"} {
		// Beside its field: the field names its message, which is in the
		// field's own block.
		beside := eval[bool](t, ed, `(() => { const f = document.getElementById('`+id+`');
			const m = document.getElementById(f.getAttribute('aria-describedby'));
			return f.getAttribute('aria-invalid') === 'true' && m !== null && m.closest('.field') === f.closest('.field') && m.textContent.length > 5; })()`)
		if !beside {
			t.Errorf("%s: no message beside the field", id)
		}
		do(t, ed, "follow the summary's link to "+id, chromedp.Click(chromedp.CSS(`.error-summary a[href="#`+id+`"]`)))
		if got := eval[string](t, ed, `document.activeElement.id`); got != id {
			t.Errorf("the link to #%s moves the focus to %q", id, got)
		}
	}
	kept := eval[string](t, ed, `['#summary','#published_on','#inc0f','#inc0p','#inc0n'].map(s => document.querySelector(s).value).join('|')`)
	if kept != "Kept summary|2026-02-30|peaceful-assembly|Almaty|-5" {
		t.Errorf("values after the errors: %q", kept)
	}
	do(t, ed, "back to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	screenshot(t, ed, "form-with-errors")
}

// TestLongPasteKept: a 2 MB paste, over what the text may hold, is
// answered by the same form, with the paste in its box and the problem
// at its field.
func TestLongPasteKept(t *testing.T) {
	s, _, signIn := workspaceSite(t)
	ed := signIn("ed@example.org")
	ed.navigate(t, s.url("/admin/updates/new"))
	do(t, ed, "paste 2 MB",
		chromedp.SetValue(chromedp.CSS(`#country`), "KZ"),
		chromedp.SetValue(chromedp.CSS(`#title`), "A very long report"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#body').value = 'Police detained protesters. '.repeat(75000) + 'THE END'`))
	if st := post(t, ed, "save", `#save`); st != 422 {
		t.Fatalf("a 2 MB paste: HTTP %d, want the form again (422)", st)
	}
	if n := eval[int](t, ed, `document.querySelector('#body').value.length`); n != 28*75000+7 {
		t.Errorf("the paste came back %d characters long, want %d", n, 28*75000+7)
	}
	if !eval[bool](t, ed, `document.querySelector('#body').value.endsWith('THE END') && document.querySelector('#title').value === 'A very long report'`) {
		t.Error("the form lost the paste or the title")
	}
	if msg := eval[string](t, ed, `document.getElementById('body-error').textContent`); !strings.Contains(msg, "at most 500000 are allowed") {
		t.Errorf("the message at the text: %q", msg)
	}
}
