package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/mail/mailtest"
	"github.com/civicmon/civicmon/web"
	"github.com/civicmon/civicmon/webtest"
)

// written is what the writes of TestAPIConformsToOpenAPI leave for its
// later calls: an update the researcher's token created (then published),
// its addresses, and the body it was written with.
type written struct {
	input                      map[string]any
	editorial, update, actions string
	researcher, editor         string // the tokens
}

// writes calls the write operations, and the editorial record, for
// TestAPIConformsToOpenAPI.
func (c *conformance) writes(t *testing.T) written {
	t.Helper()
	R, E, V := c.env.Tokens[civicmon.RoleResearcher], c.env.Tokens[civicmon.RoleEditor], c.env.Tokens[civicmon.RoleReviewer]
	researcherDraft := c.env.Drafts[civicmon.RoleResearcher].UID // written by a person's account, not a token
	input := map[string]any{"country": "KZ", "title": "Activists detained before a rally", "summary": "Police detained activists.",
		"body": "Police **detained** five activists.", "freedoms": []string{"peaceful-assembly"}, "violations": []string{"detention-of-activists"},
		"internal_notes": "source is nervous", "partner": "A partner",
		"sources":   []map[string]any{{"url": "https://example.org/a", "title": "Report", "contact": "+7 700 000 0000"}},
		"incidents": []map[string]any{{"freedom": "peaceful-assembly", "violation": "detention-of-activists", "target": "activists", "people_affected": 5, "victim_name": "A. B."}}}
	created := c.check(t, call{method: "POST", path: "/api/v1/updates", token: R, body: input}, 201, true)
	var draft struct {
		ID, Slug, Status string
	}
	decode(t, created, &draft)
	if draft.Status != "draft" || created.Header.Get("Location") != "/api/v1/updates/"+draft.ID+"/editorial" {
		t.Fatalf("created %+v at %q", draft, created.Header.Get("Location"))
	}
	c.check(t, call{method: "POST", path: "/api/v1/updates", body: input}, 403, false)
	c.check(t, call{method: "POST", path: "/api/v1/updates", token: "cmt_nonsense", body: input}, 401, false)
	c.check(t, call{method: "POST", path: "/api/v1/updates", token: c.env.Revoked, body: input}, 401, false)
	c.check(t, call{method: "POST", path: "/api/v1/updates", token: V, body: input}, 403, true)
	c.check(t, call{method: "POST", path: "/api/v1/updates", token: R, body: map[string]any{"country": "kz", "title": "",
		"published_on": "last week", "freedoms": []string{"speech"}, "incidents": []map[string]any{{"freedom": "x", "violation": "y"}}}}, 422, false)
	c.check(t, call{method: "POST", path: "/api/v1/updates", token: R, body: map[string]any{"country": "KZ", "title": "T", "colour": "blue"}}, 422, false)
	c.check(t, call{method: "POST", path: "/api/v1/updates", token: R, body: map[string]any{"country": "KZ", "title": 7}}, 422, false)
	c.check(t, call{method: "POST", path: "/api/v1/updates", token: R, body: `{"country": "KZ", "title": `}, 400, false)
	c.check(t, call{method: "POST", path: "/api/v1/updates", token: R, body: "country=KZ", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415, false)
	c.check(t, call{method: "POST", path: "/api/v1/updates", token: R, body: map[string]any{"country": "KZ", "title": "Taken", "slug": c.pub.Slug}}, 409, true)
	c.check(t, call{method: "POST", path: "/api/v1/updates", token: R, body: strings.Repeat(" ", 2<<20)}, 413, false)

	ed := "/api/v1/updates/" + draft.ID + "/editorial"
	r := c.check(t, call{method: "GET", path: ed, token: R}, 200, true)
	if !strings.Contains(r.Body, "source is nervous") || !strings.Contains(r.Body, "A. B.") {
		t.Errorf("the editorial record lacks the private fields: %s", r.Body)
	}
	c.check(t, call{method: "GET", path: "/api/v1/updates/" + researcherDraft + "/editorial", token: R}, 403, true) // another account's draft
	c.check(t, call{method: "GET", path: ed}, 403, false)
	c.check(t, call{method: "GET", path: ed, token: "cmt_nonsense"}, 401, false)
	c.check(t, call{method: "GET", path: "/api/v1/updates/no-such-update/editorial", token: E}, 404, true)
	c.check(t, call{method: "GET", path: ed + "?verbose=1", token: R}, 422, false)

	upd := "/api/v1/updates/" + draft.ID
	read := r.Header.Get("ETag") // of the editorial record read above
	if read != `"v1"` {
		t.Errorf("editorial record's ETag = %q, want \"v1\"", read)
	}
	input["title"] = "Five activists detained before a rally"
	// A save must name the version it was made from.
	for _, h := range []map[string]string{nil, {"If-Match": "*"}} {
		r = c.check(t, call{method: "PUT", path: upd, token: R, body: input, header: h}, 428, h != nil)
		if !strings.Contains(fmt.Sprint(problem(t, r)["detail"]), "If-Match") {
			t.Errorf("428 does not say what to send: %s", r.Body)
		}
	}
	r = c.check(t, call{method: "PUT", path: upd, token: R, body: input, header: map[string]string{"If-Match": read}}, 200, true)
	if !strings.Contains(r.Body, "Five activists") || !strings.Contains(r.Body, `"slug":"`+draft.Slug+`"`) || r.Header.Get("ETag") != `"v2"` {
		t.Errorf("replace: %s %s", r.Header.Get("ETag"), r.Body)
	}
	// A save from the older read (another tab, another bot) would put the
	// old title back: refused, nothing stored.
	r = c.check(t, call{method: "PUT", path: upd, token: R, body: map[string]any{"country": "KZ", "title": "From an old read"},
		header: map[string]string{"If-Match": read}}, 412, true)
	if p := problem(t, r); !strings.Contains(fmt.Sprint(p["detail"]), `"v2"`) {
		t.Errorf("412 does not name the current ETag: %s", r.Body)
	}
	if u, _ := c.env.Store.UpdateByUID(context.Background(), draft.ID); u.Title != "Five activists detained before a rally" || u.Version != 2 {
		t.Errorf("after a stale PUT: %q at version %d", u.Title, u.Version)
	}
	cur := ifMatch(t, c.env, draft.ID)
	c.check(t, call{method: "PUT", path: "/api/v1/updates/" + researcherDraft, token: E, body: map[string]any{"country": "KZ", "title": "Edited by the editor bot"},
		header: ifMatch(t, c.env, researcherDraft)}, 200, true)
	c.check(t, call{method: "PUT", path: "/api/v1/updates/" + researcherDraft, token: R, body: input, header: cur}, 403, true)
	c.check(t, call{method: "PUT", path: "/api/v1/updates/no-such-update", token: E, body: input, header: cur}, 404, true)
	c.check(t, call{method: "PUT", path: upd, token: R, body: `[1, 2`, header: cur}, 400, false)
	c.check(t, call{method: "PUT", path: upd, token: "cmt_nonsense", body: input}, 401, false)
	c.check(t, call{method: "PUT", path: upd, token: R, body: map[string]any{"country": "KZ", "title": "T", "slug": c.pub.Slug}, header: cur}, 409, true)
	c.check(t, call{method: "PUT", path: upd, token: R, body: strings.Repeat(" ", 2<<20), header: cur}, 413, false)
	c.check(t, call{method: "PUT", path: upd, token: R, body: "<update/>", header: map[string]string{"Content-Type": "application/xml", "If-Match": cur["If-Match"]}}, 415, false)
	c.check(t, call{method: "PUT", path: upd, token: R, body: map[string]any{"country": "KZ", "title": "T", "period_start": "2024-05-01", "period_end": "2024-04-01"}, header: cur}, 422, false)
	c.check(t, call{method: "PUT", path: upd, body: input}, 403, false)

	act := upd + "/actions/"
	c.check(t, call{method: "POST", path: act + "publish", token: R}, 403, true)
	// An action that names an older version is refused too.
	c.check(t, call{method: "POST", path: act + "submit", token: R, header: map[string]string{"If-Match": read}}, 412, true)
	r = c.check(t, call{method: "POST", path: act + "submit", token: R}, 200, true)
	if !strings.Contains(r.Body, `"status":"in_review"`) {
		t.Errorf("submit: %s", r.Body)
	}
	c.check(t, call{method: "POST", path: act + "submit", token: E}, 409, true)
	r = c.check(t, call{method: "POST", path: act + "publish", token: E}, 200, true)
	if !strings.Contains(r.Body, `"status":"published"`) || !strings.Contains(r.Body, `"url":"http`) {
		t.Errorf("publish: %s", r.Body)
	}
	// A published update keeps its publication date: a replacement that
	// leaves it out is refused, not dated today.
	r = c.check(t, call{method: "PUT", path: upd, token: E, body: input, header: ifMatch(t, c.env, draft.ID)}, 422, true)
	if !strings.Contains(r.Body, `"field":"published_on"`) {
		t.Errorf("replace a published update without a date: %s", r.Body)
	}
	c.check(t, call{method: "POST", path: act + "dance", token: E}, 404, false)
	c.check(t, call{method: "POST", path: "/api/v1/updates/no-such-update/actions/archive", token: E}, 404, true)
	c.check(t, call{method: "POST", path: act + "archive", token: "cmt_nonsense"}, 401, false)
	// Now it is public, without its private fields.
	r = c.get(t, "/api/v1/updates/"+draft.ID, 200)
	if strings.Contains(r.Body, "nervous") || strings.Contains(r.Body, "A. B.") || strings.Contains(r.Body, "+7 700") {
		t.Errorf("the public update shows private fields: %s", r.Body)
	}
	return written{input: input, editorial: ed, update: upd, actions: act, researcher: R, editor: E}
}

// TestAPITokenMatrix: what each role's token may do, on its own draft and
// on another account's.
func TestAPITokenMatrix(t *testing.T) {
	env := webtest.New(t)
	other := env.Drafts[civicmon.RoleResearcher].UID // a person's draft
	body := func(title string) map[string]any { return map[string]any{"country": "KZ", "title": title} }
	for _, role := range civicmon.Roles {
		tok := env.Tokens[role]
		canCreate := role.Can(civicmon.PermUpdatesCreate)
		r := do(t, env, call{method: "POST", path: "/api/v1/updates", token: tok, body: body("By the " + string(role) + " bot")})
		if (r.Status == 201) != canCreate {
			t.Errorf("%s token creates: %d", role, r.Status)
		}
		var own struct{ ID string }
		if r.Status == 201 {
			decode(t, r, &own)
			if resp := do(t, env, call{method: "PUT", path: "/api/v1/updates/" + own.ID, token: tok, body: body("Own, edited"), header: ifMatch(t, env, own.ID)}); resp.Status != 200 {
				t.Errorf("%s token replaces its own draft: %d", role, resp.Status)
			}
		}
		editAny := role.Can(civicmon.PermUpdatesEditAny)
		if resp := do(t, env, call{method: "GET", path: "/api/v1/updates/" + other + "/editorial", token: tok}); (resp.Status == 200) != editAny {
			t.Errorf("%s token reads another's draft: %d", role, resp.Status)
		}
		if resp := do(t, env, call{method: "PUT", path: "/api/v1/updates/" + other, token: tok, body: body("Not yours"), header: ifMatch(t, env, other)}); (resp.Status == 200) != editAny {
			t.Errorf("%s token replaces another's draft: %d", role, resp.Status)
		}
		if own.ID != "" {
			r := do(t, env, call{method: "POST", path: "/api/v1/updates/" + own.ID + "/actions/publish", token: tok})
			if (r.Status == 200) != role.Can(civicmon.PermUpdatesPublish) {
				t.Errorf("%s token publishes: %d %s", role, r.Status, r.Body)
			}
			if r.Status == 403 {
				if p := problem(t, r); !strings.Contains(fmt.Sprint(p["detail"]), "may not publish") {
					t.Errorf("%s token refused to publish with %v", role, p)
				}
			}
		}
	}
}

// TestAPIResearcherCannotPublish: a researcher's token writes and submits
// its drafts, and neither publishes nor edits them once submitted.
func TestAPIResearcherCannotPublish(t *testing.T) {
	env := webtest.New(t)
	R := env.Tokens[civicmon.RoleResearcher]
	r := do(t, env, call{method: "POST", path: "/api/v1/updates", token: R, body: map[string]any{"country": "KZ", "title": "A draft"}})
	var d struct{ ID string }
	decode(t, r, &d)
	for _, a := range []string{"publish", "archive", "request_changes", "unpublish"} {
		if r := do(t, env, call{method: "POST", path: "/api/v1/updates/" + d.ID + "/actions/" + a, token: R}); r.Status != 403 {
			t.Errorf("researcher token %s: %d, want 403", a, r.Status)
		}
	}
	if r := do(t, env, call{method: "POST", path: "/api/v1/updates/" + d.ID + "/actions/submit", token: R}); r.Status != 200 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	if r := do(t, env, call{method: "PUT", path: "/api/v1/updates/" + d.ID, token: R, body: map[string]any{"country": "KZ", "title": "Changed"}}); r.Status != 403 {
		t.Errorf("researcher token edits a submitted update: %d, want 403", r.Status)
	}
	u, err := env.Store.UpdateByUID(context.Background(), d.ID)
	if err != nil || u.Status != civicmon.StatusInReview || u.Title != "A draft" || u.AuthorID != env.Service[civicmon.RoleResearcher].ID {
		t.Fatalf("after the refusals: %+v, %v", u, err)
	}
	if r := do(t, env, call{method: "GET", path: "/api/v1/updates/" + d.ID}); r.Status != 404 {
		t.Errorf("the submitted update is public: %d", r.Status)
	}
}

// TestAPIAudit: every use of a token is audited as its service account,
// and so is every change it makes, revision included.
func TestAPIAudit(t *testing.T) {
	env := webtest.New(t)
	ctx := context.Background()
	s := env.Store
	sa := env.Service[civicmon.RoleResearcher]
	r := do(t, env, call{method: "POST", path: "/api/v1/updates", token: env.Tokens[civicmon.RoleResearcher], body: map[string]any{"country": "KZ", "title": "Audited"}})
	var d struct{ ID string }
	decode(t, r, &d)
	do(t, env, call{method: "POST", path: "/api/v1/updates/" + d.ID + "/actions/publish", token: env.Tokens[civicmon.RoleResearcher]}) // refused
	var actions []string
	s.AuditLog(ctx, func(e *civicmon.AuditEntry) error {
		if e.ActorID == sa.ID {
			actions = append(actions, e.Action+" "+e.Detail)
		}
		return nil
	})
	want := []string{"api_token.use POST /api/v1/updates", "update.create draft audited",
		"api_token.use POST /api/v1/updates/" + d.ID + "/actions/publish"}
	if !slices.Equal(actions, want) {
		t.Errorf("audit entries of the token's account:\n%q\nwant\n%q", actions, want)
	}
	u, _ := s.UpdateByUID(ctx, d.ID)
	revs, _ := s.Revisions(ctx, "update", u.ID)
	if len(revs) != 1 || revs[0].UserID != sa.ID {
		t.Errorf("revisions %+v: want one, by the token's account %d", revs, sa.ID)
	}
	if p, _, _, err := civicmon.VerifyAudit(ctx, s); p != nil || err != nil {
		t.Errorf("audit chain: %v %v", p, err)
	}
}

// TestAPIStepsNotify: a step taken through the API mails the people it
// concerns as the same step in the workspace does, through the outbox and
// a real SMTP server: an API publish mails the update's author; a refused
// step mails no one.
func TestAPIStepsNotify(t *testing.T) {
	smtp := mailtest.Start(t)
	env := webtest.New(t, webtest.Options{Configure: func(c *web.Config) {
		c.Mail, c.BaseURL = smtp.Config(), "https://monitor.example.org"
	}})
	d := env.Drafts[civicmon.RoleResearcher]
	r := do(t, env, call{method: "POST", path: "/api/v1/updates/" + d.UID + "/actions/publish", token: env.Tokens[civicmon.RoleEditor]})
	if r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	stored, err := env.Store.UpdateByID(context.Background(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := smtp.WaitFor(t, 1, 10*time.Second)
	if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != env.Users[civicmon.RoleResearcher].Email ||
		got[0].Subject != "Published: "+d.Title || !strings.Contains(got[0].Text, env.Service[civicmon.RoleEditor].Name+" published") ||
		!strings.Contains(got[0].Text, "https://monitor.example.org/updates/"+stored.Slug) {
		t.Fatalf("the author's mail: %+v", got)
	}
	// Publishing again is refused (409), and enqueues nothing.
	if r := do(t, env, call{method: "POST", path: "/api/v1/updates/" + d.UID + "/actions/publish", token: env.Tokens[civicmon.RoleEditor]}); r.Status != 409 {
		t.Fatalf("publish again: %d %s", r.Status, r.Body)
	}
	mails, err := env.Store.Mails(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) != 1 {
		t.Fatalf("after a refused step, the outbox holds %d mails: %+v", len(mails), mails)
	}
}
