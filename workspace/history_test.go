package workspace_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// TestHistory: an update's history names each step and who took it, and
// shows what changed in the form's words, changed words marked; ratings
// and watchlist editions have theirs; anything else is not found.
func TestHistory(t *testing.T) {
	env := webtest.New(t)
	ctx := context.Background()
	ed := &civicmon.Editorial{Store: env.Store}
	researcher, editor := env.Users[civicmon.RoleResearcher], env.Users[civicmon.RoleEditor]
	u, err := env.Store.UpdateByID(ctx, env.Drafts[civicmon.RoleResearcher].ID)
	if err != nil {
		t.Fatal(err)
	}
	u.Summary = "Police detained twenty protesters in Almaty on Monday."
	if err := ed.Apply(ctx, researcher, civicmon.ActionSave, u); err != nil {
		t.Fatal(err)
	}
	u.Summary = "Police detained thirty protesters in Almaty on Monday."
	u.Incidents = append(u.Incidents, civicmon.Incident{Freedom: civicmon.Assembly, Violation: "detention-of-protesters", Place: "Almaty"})
	if err := ed.Apply(ctx, researcher, civicmon.ActionSubmit, u); err != nil {
		t.Fatal(err)
	}
	if err := ed.Apply(ctx, editor, civicmon.ActionPublish, u); err != nil {
		t.Fatal(err)
	}
	draft := fmt.Sprint(u.ID)
	env.Run(t,
		webtest.Scenario{URL: "/admin/updates/" + draft + "/history", As: "editor",
			Contains: []string{"<h1>History: Draft by the researcher</h1>", "Created by the system", "Saved by The researcher",
				"Submitted for review by The researcher", "Published by The editor",
				"<dt>Summary</dt>", "<del>twenty</del><ins>thirty</ins> protesters",
				"<dt>Status</dt>", "<del>In review</del> → <ins>Published</ins>",
				"<dt>Incident 1</dt>", "<dt>Incident 1 — Violation type</dt>", "<ins>Detention of protesters</ins>", "<dt>Incident 1 — Place</dt>",
				"<dt>Country</dt>", "<ins>Kazakhstan</ins>", `href="/admin/updates/` + draft + `"`},
			NotContains: []string{"update.save", "CountryCode", "InternalNotes", "UpdatedAt"}},
		webtest.Scenario{URL: "/admin/updates/" + draft + "/history", As: "researcher", Status: http.StatusForbidden},
		webtest.Scenario{URL: "/admin/history/watchlist/1", As: "reviewer", Contains: []string{`href="/admin/archive/watchlist"`, "Edition created by", "<dt>Title</dt>"}},
		webtest.Scenario{URL: "/admin/history/rating/999999", As: "editor", Status: http.StatusNotFound},
		webtest.Scenario{URL: "/admin/history/user/1", As: "editor", Status: http.StatusNotFound},
		webtest.Scenario{URL: "/admin/history/watchlist/x", As: "editor", Status: http.StatusNotFound},
	)

	// A rating approved from a proposal names who approved it.
	p := civicmon.RatingProposal{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2026-06-01"), Category: civicmon.Closed, Rationale: "Mass arrests"}
	if err := ed.ProposeRating(ctx, editor, &p); err != nil {
		t.Fatal(err)
	}
	r, err := ed.DecideRating(ctx, env.Users[civicmon.RoleReviewer], p.ID, true, "")
	if err != nil {
		t.Fatal(err)
	}
	env.Run(t, webtest.Scenario{URL: fmt.Sprintf("/admin/history/rating/%d", r.ID), As: "reviewer",
		Contains: []string{"History: Rating of Kazakhstan", "Rating approved by The reviewer", "<ins>Closed</ins>"}})
}
