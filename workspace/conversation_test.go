package workspace_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/mail/mailtest"
	"github.com/civicmon/civicmon/web"
	"github.com/civicmon/civicmon/webtest"
)

// mailEnv serves the demo with mail through a real SMTP server.
func mailEnv(t *testing.T) (*webtest.Env, *mailtest.Server) {
	smtp := mailtest.Start(t)
	env := webtest.New(t, webtest.Options{Configure: func(c *web.Config) {
		c.Mail, c.BaseURL = smtp.Config(), "https://monitor.example.org"
	}})
	return env, smtp
}

// mailsTo waits for n mails in all and returns those to the address.
func mailsTo(t *testing.T, smtp *mailtest.Server, n int, to string) []mailtest.Received {
	t.Helper()
	var out []mailtest.Received
	for _, m := range smtp.WaitFor(t, n, 10*time.Second) {
		if len(m.To) == 1 && m.To[0] == to {
			out = append(out, m)
		}
	}
	return out
}

// TestReviewsThatTalk: a researcher submits (the reviewers are mailed),
// an editor requests changes with a comment, which the author sees at the
// top of the draft and in its conversation and receives by mail; the
// author answers in the conversation and the editor is mailed; a request
// for changes without a comment is refused with the form kept.
func TestReviewsThatTalk(t *testing.T) {
	env, smtp := mailEnv(t)
	ctx := context.Background()
	researcher, editor := env.SignedIn(t, civicmon.RoleResearcher), env.SignedIn(t, civicmon.RoleEditor)
	// The admin reviews too, but wants no mail.
	admin := env.Users[civicmon.RoleAdmin]
	if err := env.Store.SaveNotificationSettings(ctx, &civicmon.NotificationSettings{UserID: admin.ID, AllOff: true}); err != nil {
		t.Fatal(err)
	}
	draft := env.Drafts[civicmon.RoleResearcher]
	path := fmt.Sprintf("/admin/updates/%d", draft.ID)

	values := formValues(t, researcher.Get(path).Body)
	values.Set("action", "submit")
	values.Set("comment", "Ready: the figures are from the court records.")
	if r := researcher.Post(path, values); r.Status != http.StatusSeeOther || r.Header.Get("Location") != path+"?done=submit" {
		t.Fatalf("submit: %d %s", r.Status, r.Header.Get("Location"))
	}
	got := mailsTo(t, smtp, 1, "editor@example.org")
	if len(got) != 1 || got[0].Subject != "To review: Draft by the researcher" || !strings.Contains(got[0].Text, "court records") ||
		!strings.Contains(got[0].Text, "https://monitor.example.org"+path) || !strings.Contains(got[0].Text, "/admin/account/notifications") {
		t.Fatalf("the reviewer's mail: %+v", got)
	}

	// Request changes: a comment is required, and the form is kept.
	values = formValues(t, editor.Get(path).Body)
	values.Set("action", "request_changes")
	values.Set("title", "Draft by the researcher, retitled")
	r := editor.Post(path, values)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Say what should change") || !strings.Contains(r.Body, "retitled") {
		t.Fatalf("request changes without a comment: %d", r.Status)
	}
	values.Set("title", "Draft by the researcher")
	values.Set("comment", "Please name the court and the date of the hearing.")
	if r := editor.Post(path, values); r.Status != http.StatusSeeOther || r.Header.Get("Location") != path+"?done=request_changes" {
		t.Fatalf("request changes: %d %s", r.Status, r.Header.Get("Location"))
	}
	got = mailsTo(t, smtp, 2, "researcher@example.org")
	if len(got) != 1 || got[0].Subject != "Changes requested: Draft by the researcher" ||
		!strings.Contains(got[0].Text, "The editor wrote:\n\nPlease name the court and the date of the hearing.") {
		t.Fatalf("the author's mail: %+v", got)
	}
	env.Run(t,
		webtest.Scenario{URL: path + "?done=request_changes", As: "researcher", Contains: []string{
			"Changes requested: the update is back with its author",
			`<div class="request" role="note"><p><strong>Changes requested by The editor</strong>`,
			"Please name the court and the date of the hearing.", `id="conversation"`, "Ready: the figures are from the court records.",
			`<span class="badge tag">Request changes</span>`, `action="/admin/updates/` + fmt.Sprint(draft.ID) + `/comments"`}},
		webtest.Scenario{Name: "an empty comment", Method: "POST", URL: path + "/comments", As: "researcher", Form: url.Values{"body": {"  "}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"Write something before you send it."}},
		webtest.Scenario{Name: "another's conversation", Method: "POST", URL: fmt.Sprintf("/admin/updates/%d/comments", env.Drafts[civicmon.RoleEditor].ID),
			As: "researcher", Form: url.Values{"body": {"Hello"}}, Status: http.StatusForbidden},
		webtest.Scenario{Name: "no such update", Method: "POST", URL: "/admin/updates/999999/comments", As: "editor", Form: url.Values{"body": {"Hello"}},
			Status: http.StatusNotFound},
	)
	// The author answers; the editor, who took part, is mailed.
	if r := researcher.Post(path+"/comments", url.Values{"body": {"The Almaty city court, 3 March."}}); r.Status != http.StatusSeeOther {
		t.Fatalf("comment: %d", r.Status)
	}
	got = mailsTo(t, smtp, 3, "editor@example.org")
	if len(got) != 2 || got[1].Subject != "New comment: Draft by the researcher" || !strings.Contains(got[1].Text, "The Almaty city court, 3 March.") {
		t.Fatalf("the editor's mails: %+v", got)
	}
	for _, m := range smtp.Messages() {
		if m.To[0] == "admin@example.org" {
			t.Fatalf("the admin turned mail off, and got %q", m.Subject)
		}
	}
}

// TestConfirmSteps: publishing, unpublishing and archiving ask first, on a
// page that carries the form as posted; confirming takes the step and says
// which.
func TestConfirmSteps(t *testing.T) {
	env := webtest.New(t)
	editor := env.SignedIn(t, civicmon.RoleEditor)
	draft := env.Drafts[civicmon.RoleResearcher]
	path := fmt.Sprintf("/admin/updates/%d", draft.ID)
	values := formValues(t, editor.Get(path).Body)
	values.Set("action", "publish")
	values.Set("summary", "Typed before publishing, kept through the confirmation.")
	r := editor.Post(path, values)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "<h1>Publish “Draft by the researcher”?</h1>") ||
		!strings.Contains(r.Body, `name="summary" value="Typed before publishing, kept through the confirmation."`) ||
		!strings.Contains(r.Body, `name="confirm" value="1"`) || !strings.Contains(r.Body, `href="`+path+`">Cancel`) {
		t.Fatalf("confirmation page: %d\n%s", r.Status, r.Body)
	}
	if u, _ := env.Store.UpdateByID(context.Background(), draft.ID); u.Status != civicmon.StatusDraft {
		t.Fatal("published before confirming")
	}
	confirm := formValues(t, r.Body)
	confirm.Set("csrf_token", editor.CSRF())
	if r := editor.Post(path, confirm); r.Status != http.StatusSeeOther || r.Header.Get("Location") != path+"?done=publish" {
		t.Fatalf("confirmed: %d %s", r.Status, r.Header.Get("Location"))
	}
	u, _ := env.Store.UpdateByID(context.Background(), draft.ID)
	if u.Status != civicmon.StatusPublished || u.Summary != "Typed before publishing, kept through the confirmation." {
		t.Fatalf("after confirming: %s %q", u.Status, u.Summary)
	}
	env.Run(t,
		webtest.Scenario{URL: path + "?done=publish", As: "editor", Contains: []string{"Published: the update is now public."}},
		webtest.Scenario{Name: "unpublish asks", Method: "POST", URL: path, As: "editor", Form: url.Values{"action": {"unpublish"}, "country": {"KZ"}, "title": {"T"}, "version": {fmt.Sprint(u.Version)}},
			Contains: []string{"Unpublish “Draft by the researcher”?", "disappears from every public page"}},
		webtest.Scenario{Name: "archive asks", Method: "POST", URL: path, As: "editor", Form: url.Values{"action": {"archive"}, "country": {"KZ"}, "title": {"T"}, "version": {fmt.Sprint(u.Version)}},
			Contains: []string{"Archive “Draft by the researcher”?"}},
	)
}

// TestNotificationSettings: each account chooses its notification mail.
func TestNotificationSettings(t *testing.T) {
	env := webtest.New(t)
	env.Run(t,
		webtest.Scenario{URL: "/admin/account/notifications", As: "reviewer", Contains: []string{"<h1>Notification mail</h1>",
			`name="want" value="ratings" checked`, "This server sends no mail yet"}},
		webtest.Scenario{Name: "save", Method: "POST", URL: "/admin/account/notifications", As: "reviewer",
			Form: url.Values{"want": {"ratings", "comment"}, "address": {"Secure@Example.org"}}, Status: http.StatusSeeOther},
		webtest.Scenario{URL: "/admin/account/notifications?done=1", As: "reviewer", Contains: []string{"is saved",
			`name="want" value="ratings" checked`, `name="want" value="published">`, `value="secure@example.org"`}},
		webtest.Scenario{Name: "a bad address", Method: "POST", URL: "/admin/account/notifications", As: "reviewer",
			Form: url.Values{"address": {"not an address"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"is not an e-mail address", `value="not an address"`}},
		webtest.Scenario{URL: "/admin/account/notifications", Status: http.StatusSeeOther},
	)
	set, err := env.Store.NotificationSettings(context.Background(), env.Users[civicmon.RoleReviewer].ID)
	if err != nil || set.Address != "secure@example.org" || set.Wants(civicmon.NotifyPublished) || !set.Wants(civicmon.NotifyRatings) {
		t.Fatalf("stored: %+v %v", set, err)
	}
}

// TestRatingNotifications: a proposed rating change is mailed to those who
// approve; the decision, with its note, to the proposer.
func TestRatingNotifications(t *testing.T) {
	env, smtp := mailEnv(t)
	editor, reviewer := env.SignedIn(t, civicmon.RoleEditor), env.SignedIn(t, civicmon.RoleReviewer)
	r := editor.Post("/admin/ratings", url.Values{"country": {"KZ"}, "effective_date": {"2026-06-01"}, "category": {"closed"},
		"rationale": {"Mass arrests after the strike."}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("propose: %d %s", r.Status, r.Body)
	}
	got := mailsTo(t, smtp, 2, "reviewer@example.org")
	if len(got) != 1 || got[0].Subject != "Rating change to approve: KZ" || !strings.Contains(got[0].Text, "Mass arrests after the strike.") ||
		!strings.Contains(got[0].Text, "https://monitor.example.org/admin/ratings") {
		t.Fatalf("the reviewer's mail: %+v", got)
	}
	if len(mailsTo(t, smtp, 2, "admin@example.org")) != 1 {
		t.Fatal("the admin, who approves too, was not mailed")
	}
	ps, err := env.Store.RatingProposals(context.Background(), civicmon.ProposalPending)
	if err != nil || len(ps) != 1 {
		t.Fatalf("pending: %v %v", ps, err)
	}
	if r := reviewer.Post(fmt.Sprintf("/admin/ratings/%d/reject", ps[0].ID), url.Values{"note": {"Wait for the court's ruling."}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reject: %d", r.Status)
	}
	got = mailsTo(t, smtp, 3, "editor@example.org")
	if len(got) != 1 || got[0].Subject != "Rating change rejected: KZ" || !strings.Contains(got[0].Text, "Wait for the court's ruling.") {
		t.Fatalf("the proposer's mail: %+v", got)
	}
}

// TestBulkPublishNotifies: publishing from the archive's bulk step mails
// each update's author, as publishing from the update's form does.
func TestBulkPublishNotifies(t *testing.T) {
	env, smtp := mailEnv(t)
	draft := env.Drafts[civicmon.RoleResearcher]
	env.Run(t, webtest.Scenario{Method: "POST", URL: "/admin/archive/bulk", As: "editor",
		Form:   url.Values{"id": {fmt.Sprint(draft.ID)}, "back": {"/admin/archive"}, "action": {"publish"}, "confirm": {"1"}},
		Status: http.StatusSeeOther})
	got := mailsTo(t, smtp, 1, "researcher@example.org")
	if len(got) != 1 || got[0].Subject != "Published: "+draft.Title || !strings.Contains(got[0].Text, "The editor published") {
		t.Fatalf("the author's mail: %+v", got)
	}
}
