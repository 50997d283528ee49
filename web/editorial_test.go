package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
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
