package workspace_test

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
	"github.com/civicmon/civicmon/webtest"
)

// TestRatingChangeNeedsASecondPerson: a proposed rating is not public until
// approved, and its proposer cannot approve it.
func TestRatingChangeNeedsASecondPerson(t *testing.T) {
	env := webtest.New(t)
	editor := env.SignedIn(t, civicmon.RoleEditor)
	r := editor.Post("/admin/ratings", url.Values{"country": {"KZ"},
		"effective_date": {"2026-11-01"}, "score": {"15"}, "rationale": {"Mass arrests after the November protests."}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("propose: %d %s", r.Status, r.Body)
	}
	rating := func() string {
		page := env.Client(t).Get("/countries/kazakhstan").Body
		m := regexp.MustCompile(`Civic space is rated <span class="badge r-(\w+)">`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no rating on the country page")
		}
		return m[1]
	}
	if got := rating(); got != "repressed" {
		t.Fatalf("before approval the public rating is %s, want repressed", got)
	}
	props, err := env.Store.RatingProposals(context.Background(), civicmon.ProposalPending)
	if err != nil || len(props) != 1 {
		t.Fatalf("pending proposals: %v %v", props, err)
	}
	approve := fmt.Sprintf("/admin/ratings/%d/approve", props[0].ID)
	// The admin holds the approve permission; as the proposer's
	// colleague that is fine, but an admin who proposed could not.
	if r := editor.Post(approve, nil); r.Status != http.StatusForbidden {
		t.Fatalf("the editor (no approve permission) approving: %d", r.Status)
	}
	admin := env.SignedIn(t, civicmon.RoleAdmin)
	r = admin.Post("/admin/ratings", url.Values{"country": {"CL"},
		"effective_date": {"2026-11-02"}, "category": {"repressed"}, "rationale": {"Own proposal."}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("admin propose: %d", r.Status)
	}
	props, _ = env.Store.RatingProposals(context.Background(), civicmon.ProposalPending)
	var own int64
	for _, p := range props {
		if p.CountryCode == "CL" {
			own = p.ID
		}
	}
	r = admin.Post(fmt.Sprintf("/admin/ratings/%d/approve", own), nil)
	if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "another person must approve it") {
		t.Fatalf("the proposer approving their own change: %d", r.Status)
	}
	reviewer := env.SignedIn(t, civicmon.RoleReviewer)
	if r := reviewer.Post(approve, url.Values{"note": {"Agreed by the panel."}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reviewer approving: %d %s", r.Status, r.Body)
	}
	if got := rating(); got != "closed" {
		t.Fatalf("after approval the public rating is %s, want closed", got)
	}
}

// TestRatingsPage: who may propose and decide sees the forms for it; a bad
// proposal is shown back with its errors; a decision on a decided
// proposal is a conflict.
func TestRatingsPage(t *testing.T) {
	env := webtest.New(t)
	env.Run(t,
		webtest.Scenario{URL: "/admin/ratings", As: "researcher", Contains: []string{"Waiting for a decision", "Nothing here."},
			NotContains: []string{`action="/admin/ratings"`}},
		webtest.Scenario{Method: "POST", URL: "/admin/ratings", As: "editor",
			Form:   url.Values{"country": {"KZ"}, "effective_date": {"soon"}, "score": {"many"}, "rationale": {"Why & how"}},
			Status: http.StatusUnprocessableEntity,
			Contains: []string{"<code>rating.score</code>", "<code>rating.effective_date</code>", `<option value="KZ" selected>`,
				"Why &amp; how</textarea>"}},
		webtest.Scenario{Method: "POST", URL: "/admin/ratings", As: "editor",
			Form:   url.Values{"country": {"KZ"}, "effective_date": {"2026-11-01"}, "rationale": {""}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"rationale"}},
		webtest.Scenario{Method: "POST", URL: "/admin/ratings", As: "editor",
			Form:   url.Values{"country": {"KZ"}, "effective_date": {"2026-11-01"}, "score": {"15"}, "rationale": {"Arrests."}, "source": {"A report"}},
			Status: http.StatusSeeOther, Check: location("/admin/ratings?done=proposed")},
	)
	props, _ := env.Store.RatingProposals(context.Background(), civicmon.ProposalPending)
	if len(props) != 1 {
		t.Fatalf("%d pending proposals, want 1", len(props))
	}
	id := fmt.Sprint(props[0].ID)
	env.Run(t,
		webtest.Scenario{URL: "/admin/ratings?done=proposed", As: "editor",
			Contains:    []string{"Proposed. It takes effect when another person approves it.", "(score 15)", "proposed by The editor", "Source: A report"},
			NotContains: []string{`action="/admin/ratings/` + id + `/approve"`}},
		webtest.Scenario{URL: "/admin/ratings", As: "reviewer",
			Contains: []string{`action="/admin/ratings/` + id + `/approve"`, `formaction="/admin/ratings/` + id + `/reject"`, `id="note` + id + `"`}},
		webtest.Scenario{Method: "POST", URL: "/admin/ratings/" + id + "/reject", As: "reviewer", Form: url.Values{}, Status: http.StatusSeeOther,
			Check: location("/admin/ratings?done=rejected")},
		webtest.Scenario{Method: "POST", URL: "/admin/ratings/" + id + "/approve", As: "reviewer", Form: url.Values{}, Status: http.StatusConflict,
			Contains: []string{"<code>proposal " + id + "</code>"}},
		webtest.Scenario{Method: "POST", URL: "/admin/ratings/" + id + "/maybe", As: "reviewer", Form: url.Values{}, Status: http.StatusNotFound},
		webtest.Scenario{URL: "/admin/ratings?done=rejected", As: "reviewer", Contains: []string{"Rejected.", "Decided by"}},
	)
}

// TestApprovedFutureRatingIsScheduled: approving a rating dated after
// today says it is scheduled (not "now public"), lists it under
// Scheduled, and the country page keeps the rating in force.
func TestApprovedFutureRatingIsScheduled(t *testing.T) {
	env := webtest.New(t)
	env.SetNow(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	editor := env.SignedIn(t, civicmon.RoleEditor)
	if r := editor.Post("/admin/ratings", url.Values{"country": {"KZ"}, "effective_date": {"2031-01-01"}, "score": {"85"},
		"rationale": {"Reforms take effect in 2031."}}); r.Status != http.StatusSeeOther {
		t.Fatalf("propose: %d", r.Status)
	}
	page := editor.Get("/admin/ratings").Body
	if !strings.Contains(page, "after today: once approved, scheduled for that day") {
		t.Error("the pending proposal does not say it will be scheduled")
	}
	props, _ := env.Store.RatingProposals(context.Background(), civicmon.ProposalPending)
	reviewer := env.SignedIn(t, civicmon.RoleReviewer)
	r := reviewer.Post(fmt.Sprintf("/admin/ratings/%d/approve", props[0].ID), nil)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/ratings?done=scheduled&on=2031-01-01" {
		t.Fatalf("approve: %d → %s", r.Status, r.Header.Get("Location"))
	}
	page = reviewer.Get(r.Header.Get("Location")).Body
	for _, want := range []string{"Approved: the new rating is scheduled for 2031-01-01 and is not public until that day.",
		`<h2 id="scheduled-heading">Scheduled</h2>`, "scheduled for 2031-01-01", "approved · scheduled"} {
		if !strings.Contains(page, want) {
			t.Errorf("the ratings screen lacks %q", want)
		}
	}
	if strings.Contains(page, "now public") {
		t.Error("a scheduled rating is said to be public")
	}
	if p := env.Client(t).Get("/countries/kazakhstan").Body; !strings.Contains(p, `Civic space is rated <span class="badge r-repressed">`) {
		t.Error("the country page does not keep the rating in force")
	}
}
