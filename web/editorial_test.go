package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/mail/mailtest"
	"github.com/civicmon/civicmon/totp"
)

// TestRatingChangeNeedsASecondPerson: a proposed rating is not public until
// approved, and its proposer cannot approve it.
func TestRatingChangeNeedsASecondPerson(t *testing.T) {
	ws := newWorkspace(t)
	editor := ws.signedIn(t, civicmon.RoleEditor)
	resp, body := editor.do("POST", "/admin/ratings", url.Values{"csrf_token": {editor.token()}, "country": {"KZ"},
		"effective_date": {"2026-11-01"}, "score": {"15"}, "rationale": {"Mass arrests after the November protests."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("propose: %d %s", resp.StatusCode, body)
	}
	rating := func() string {
		_, page := ws.browser(t).do("GET", "/countries/kazakhstan", nil)
		m := regexp.MustCompile(`Civic space is rated <span class="badge r-(\w+)">`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no rating on the country page")
		}
		return m[1]
	}
	if got := rating(); got != "repressed" {
		t.Fatalf("before approval the public rating is %s, want repressed", got)
	}
	props, err := ws.db.Store().RatingProposals(context.Background(), civicmon.ProposalPending)
	if err != nil || len(props) != 1 {
		t.Fatalf("pending proposals: %v %v", props, err)
	}
	approve := fmt.Sprintf("/admin/ratings/%d/approve", props[0].ID)
	// The admin holds the approve permission; as the proposer's
	// colleague that is fine, but an admin who proposed could not.
	if resp, _ := editor.do("POST", approve, url.Values{"csrf_token": {editor.token()}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the editor (no approve permission) approving: %d", resp.StatusCode)
	}
	admin := ws.signedIn(t, civicmon.RoleAdmin)
	resp, _ = admin.do("POST", "/admin/ratings", url.Values{"csrf_token": {admin.token()}, "country": {"CL"},
		"effective_date": {"2026-11-02"}, "category": {"repressed"}, "rationale": {"Own proposal."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin propose: %d", resp.StatusCode)
	}
	props, _ = ws.db.Store().RatingProposals(context.Background(), civicmon.ProposalPending)
	var own int64
	for _, p := range props {
		if p.CountryCode == "CL" {
			own = p.ID
		}
	}
	resp, body = admin.do("POST", fmt.Sprintf("/admin/ratings/%d/approve", own), url.Values{"csrf_token": {admin.token()}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "another person must approve it") {
		t.Fatalf("the proposer approving their own change: %d", resp.StatusCode)
	}
	reviewer := ws.signedIn(t, civicmon.RoleReviewer)
	if resp, body := reviewer.do("POST", approve, url.Values{"csrf_token": {reviewer.token()}, "note": {"Agreed by the panel."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reviewer approving: %d %s", resp.StatusCode, body)
	}
	if got := rating(); got != "closed" {
		t.Fatalf("after approval the public rating is %s, want closed", got)
	}
}

var resetLink = regexp.MustCompile(`https?://\S+/admin/password-reset/(\S+)`)

// TestPasswordResetByMail: the mail reaches a real SMTP server, and its
// link sets a new password once only.
func TestPasswordResetByMail(t *testing.T) {
	smtp := mailtest.Start(t)
	ws := newWorkspaceWith(t, func(c *webConfig) { c.Mail = smtp.Config() })
	b := ws.browser(t)
	resp, body := b.do("POST", "/admin/password-reset", url.Values{"csrf_token": {b.token()}, "email": {"Editor@Example.org"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "a link to reset its password is on its way") {
		t.Fatalf("request: %d", resp.StatusCode)
	}
	// An unknown address gets the same answer and no mail.
	if _, body := b.do("POST", "/admin/password-reset", url.Values{"csrf_token": {b.token()}, "email": {"nobody@example.org"}}); !strings.Contains(body, "is on its way") {
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
	if resp, _ := b.do("GET", path, nil); resp.StatusCode != 200 {
		t.Fatalf("open the link: %d", resp.StatusCode)
	}
	newPW := url.Values{"csrf_token": {b.token()}, "password": {"a brand new password"}, "password2": {"a brand new password"}}
	if resp, body := b.do("POST", path, newPW); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set the password: %d %s", resp.StatusCode, body)
	}
	if resp, body := b.do("POST", path, newPW); resp.StatusCode != http.StatusGone || !strings.Contains(body, "already used") {
		t.Fatalf("the link used twice: %d", resp.StatusCode)
	}
	if resp := ws.browser(t).login("editor@example.org", testPassword); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the old password still works: %d", resp.StatusCode)
	}
	if resp := ws.browser(t).login("editor@example.org", "a brand new password"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new password does not work: %d", resp.StatusCode)
	}
	if len(smtp.Messages()) != 1 {
		t.Fatalf("%d mails sent, want 1 (none for the unknown address)", len(smtp.Messages()))
	}
}

// TestTwoStepSignIn: turning TOTP on, signing in with a code, refusing a
// wrong or replayed one.
func TestTwoStepSignIn(t *testing.T) {
	ws := newWorkspace(t)
	b := ws.signedIn(t, civicmon.RoleEditor)
	_, page := b.do("GET", "/admin/account/2fa", nil)
	m := regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no secret offered")
	}
	secret := m[1]
	code, _ := totp.Code(secret, time.Now())
	if resp, body := b.do("POST", "/admin/account/2fa", url.Values{"csrf_token": {b.token()}, "secret": {secret}, "code": {code}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("turn on: %d %s", resp.StatusCode, body)
	}
	b2 := ws.browser(t)
	resp := b2.login("editor@example.org", testPassword)
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/admin/login/2fa") {
		t.Fatalf("sign-in with two steps goes to %q", loc)
	}
	if resp, _ := b2.do("GET", "/admin", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a half-signed-in session opened /admin: %d", resp.StatusCode)
	}
	if resp, _ := b2.do("POST", "/admin/login/2fa", url.Values{"csrf_token": {b2.token()}, "code": {"000000"}}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d", resp.StatusCode)
	}
	code, _ = totp.Code(secret, time.Now())
	if resp, _ := b2.do("POST", "/admin/login/2fa", url.Values{"csrf_token": {b2.token()}, "code": {code}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
		t.Fatalf("right code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := b2.do("GET", "/admin", nil); resp.StatusCode != 200 {
		t.Fatalf("/admin after two steps: %d", resp.StatusCode)
	}
	b3 := ws.browser(t)
	b3.login("editor@example.org", testPassword)
	if resp, _ := b3.do("POST", "/admin/login/2fa", url.Values{"csrf_token": {b3.token()}, "code": {code}}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a replayed code: %d", resp.StatusCode)
	}
}

// TestCorrectionsAndHistory: an edit of a published update with a public
// note shows as a correction; editors see the diff; the public never sees
// who changed what.
func TestCorrectionsAndHistory(t *testing.T) {
	ws := newWorkspace(t)
	ctx := context.Background()
	u, err := ws.db.Store().UpdateBySlug(ctx, "muffled-protests-and-persecution-of-opposition-movements-ngos-and-trade-unions")
	if err != nil {
		t.Fatal(err)
	}
	editor := ws.signedIn(t, civicmon.RoleEditor)
	path := fmt.Sprintf("/admin/updates/%d", u.ID)
	_, form := editor.do("GET", path, nil)
	values := formValues(t, form)
	values.Set("csrf_token", editor.token())
	values.Set("action", "save")
	values.Set("summary", u.Summary+" (The kettling lasted over ten hours.)")
	values.Set("correction_note", "Clarified how long the kettling lasted.")
	if resp, body := editor.do("POST", path, values); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", resp.StatusCode, body)
	}
	_, page := ws.browser(t).do("GET", "/updates/"+u.Slug, nil)
	if !strings.Contains(page, "Corrections") || !strings.Contains(page, "Clarified how long the kettling lasted.") {
		t.Fatal("the public page lacks the correction")
	}
	if strings.Contains(page, "The editor") {
		t.Fatal("the public page names who corrected it")
	}
	resp, hist := editor.do("GET", path+"/history", nil)
	if resp.StatusCode != 200 || !strings.Contains(hist, "The editor") || !strings.Contains(hist, "The kettling lasted over ten hours.") {
		t.Fatalf("history: %d", resp.StatusCode)
	}
	if !strings.Contains(hist, `class="d add"`) {
		t.Fatal("history shows no added line")
	}
}

// formValues reads the current values of a form in a page: inputs,
// checked boxes, textareas and selected options.
func formValues(t *testing.T, page string) url.Values {
	v := url.Values{}
	valueRe := regexp.MustCompile(`\bvalue="([^"]*)"`)
	for _, m := range regexp.MustCompile(`(?s)<input\b([^>]*)>`).FindAllStringSubmatch(page, -1) {
		attrs := m[1]
		name := regexp.MustCompile(`\bname="([^"]+)"`).FindStringSubmatch(attrs)
		if name == nil {
			continue
		}
		if strings.Contains(attrs, `type="checkbox"`) && !strings.Contains(attrs, " checked") {
			continue
		}
		val := ""
		if vm := valueRe.FindStringSubmatch(attrs); vm != nil {
			val = htmlUnescape(vm[1])
		}
		v.Add(name[1], val)
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea\b[^>]*\bname="([^"]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(page, -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<select\b[^>]*\bname="([^"]+)"[^>]*>(.*?)</select>`).FindAllStringSubmatch(page, -1) {
		if sel := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(m[2]); sel != nil {
			v.Set(m[1], sel[1])
		} else {
			v.Set(m[1], "")
		}
	}

	return v
}

// TestAdminsRequireTwoStep: once required for a role, an account of it
// without a second factor opens only the enrolment page.
func TestAdminsRequireTwoStep(t *testing.T) {
	ws := newWorkspace(t)
	admin := ws.signedIn(t, civicmon.RoleAdmin)
	if resp, _ := admin.do("POST", "/admin/settings", url.Values{"csrf_token": {admin.token()}, "require_2fa": {"editor", "admin"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save settings: %d", resp.StatusCode)
	}
	editor := ws.signedIn(t, civicmon.RoleEditor)
	resp, _ := editor.do("GET", "/admin", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/account/2fa?required=1" {
		t.Fatalf("an editor without a second factor: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := editor.do("POST", "/admin/updates", url.Values{"csrf_token": {editor.token()}, "action": {"preview"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an editor without a second factor posting: %d", resp.StatusCode)
	}
	// A researcher is not concerned.
	researcher := ws.signedIn(t, civicmon.RoleResearcher)
	if resp, _ := researcher.do("GET", "/admin", nil); resp.StatusCode != 200 {
		t.Fatalf("researcher: %d", resp.StatusCode)
	}
	_, page := editor.do("GET", "/admin/account/2fa?required=1", nil)
	secret := regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`).FindStringSubmatch(page)[1]
	code, _ := totp.Code(secret, time.Now())
	if resp, _ := editor.do("POST", "/admin/account/2fa", url.Values{"csrf_token": {editor.token()}, "secret": {secret}, "code": {code}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enrol: %d", resp.StatusCode)
	}
	if resp, _ := editor.do("GET", "/admin", nil); resp.StatusCode != 200 {
		t.Fatalf("after enrolling: %d", resp.StatusCode)
	}
	if resp, body := editor.do("POST", "/admin/account/2fa", url.Values{"csrf_token": {editor.token()}, "action": {"disable"}, "password": {testPassword}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "cannot be turned off") {
		t.Fatalf("turning off a required second factor: %d", resp.StatusCode)
	}
}
