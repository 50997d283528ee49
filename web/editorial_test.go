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
