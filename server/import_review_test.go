package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/dataio"
	"github.com/civicmon/civicmon/storetest"
	"github.com/civicmon/civicmon/webtest"
)

// ratingSurfaces are the public pages, downloads, feeds and API answers a
// country's rating shows on.
var ratingSurfaces = []string{
	"/", "/countries", "/countries/kazakhstan", "/countries/kazakhstan?lang=fr", "/embed/map", "/regions/europe-central-asia",
	"/data/civicmon.ndjson", "/data/civicmon.json", "/data/countries.csv", "/data/ratings.csv",
	"/data/ratings.csv?country=KZ", "/feed.atom", "/feed.json", "/countries/kazakhstan/feed.atom", "/countries/kazakhstan/feed.json",
	"/api/v1/countries", "/api/v1/countries/KZ", "/api/v1/ratings", "/api/v1/ratings?country=KZ",
	"/sitemaps/pages.xml",
}

func snapshot(t *testing.T, env *webtest.Env) map[string]string {
	t.Helper()
	c := env.Client(t)
	out := map[string]string{}
	for _, u := range ratingSurfaces {
		r := c.Get(u)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", u, r.Status)
		}
		out[u] = r.Body
	}
	return out
}

func importRating(t *testing.T, env *webtest.Env, line string, o dataio.ImportOptions) *dataio.Report {
	t.Helper()
	rep, err := dataio.Import(context.Background(), env.Store, []dataio.Input{{Name: "ratings.ndjson", R: strings.NewReader(line)}}, o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestImportedRatingWaitsForASecondPerson: a rating an editor imports
// changes no public page — country page, map, downloads, feeds, API — on
// either database, until a second person approves it in the workspace;
// the importer cannot approve it.
func TestImportedRatingWaitsForASecondPerson(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			env := webtest.New(t, webtest.Options{Engine: e})
			env.SetNow(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
			before := snapshot(t, env)
			editor := env.Users[civicmon.RoleEditor]
			rep := importRating(t, env, `{"type":"rating","country":"KZ","effective_date":"2026-11-01","date_approximate":false,"score":85,"category":"open","rationale":"zqimported rationale","source":"zqimported source"}`,
				dataio.ImportOptions{Actor: editor.ID, Today: civicmon.MustDate("2026-12-07")})
			if rep.RatingsProposed != 1 || rep.Ratings.Created != 0 || !strings.Contains(rep.String(), "not public") {
				t.Fatalf("report: %+v\n%s", rep, rep)
			}
			after := snapshot(t, env)
			for _, u := range ratingSurfaces {
				if after[u] != before[u] {
					t.Errorf("%s changed with a rating no second person approved", u)
				}
			}
			ps, err := env.Store.RatingProposals(context.Background(), civicmon.ProposalPending)
			if err != nil || len(ps) != 1 || ps[0].ProposedBy != editor.ID {
				t.Fatalf("pending proposals: %+v, %v", ps, err)
			}
			id := strconv.FormatInt(ps[0].ID, 10)
			env.Run(t,
				webtest.Scenario{URL: "/admin/ratings", As: "editor", Contains: []string{"zqimported rationale", "proposed by The editor"}},
				// The importer is the proposer: the store refuses them, whatever the role.
				webtest.Scenario{Method: "POST", URL: "/admin/ratings/" + id + "/approve", As: "admin", Form: url.Values{"note": {"checked"}}, Status: http.StatusSeeOther},
			)
			// The admin approved: a second person. Now it is public.
			approved := snapshot(t, env)
			for _, u := range []string{"/countries/kazakhstan", "/api/v1/countries/KZ", "/data/ratings.csv", "/data/civicmon.ndjson"} {
				if !strings.Contains(approved[u], "zqimported") {
					t.Errorf("%s does not show the approved rating", u)
				}
			}
			if approved["/embed/map"] == before["/embed/map"] {
				t.Error("the map did not change with KZ's new rating")
			}
		})
	}
}

// TestImportersOwnRatingIsNotTheirsToApprove: the workspace refuses the
// importing editor's approval of the proposal their import made.
func TestImportersOwnRatingIsNotTheirsToApprove(t *testing.T) {
	env := webtest.New(t)
	admin := env.Users[civicmon.RoleAdmin]
	importRating(t, env, `{"type":"rating","country":"KZ","effective_date":"2026-11-01","date_approximate":false,"score":85,"category":"open","rationale":"zqimported rationale","source":"s"}`,
		dataio.ImportOptions{Actor: admin.ID})
	ps, _ := env.Store.RatingProposals(context.Background(), civicmon.ProposalPending)
	if len(ps) != 1 {
		t.Fatalf("%d pending", len(ps))
	}
	env.Run(t, webtest.Scenario{Method: "POST", URL: "/admin/ratings/" + strconv.FormatInt(ps[0].ID, 10) + "/approve", As: "admin", Form: url.Values{"note": {"mine"}}, Status: http.StatusForbidden})
	if h, _ := env.Store.RatingHistory(context.Background(), "KZ"); h[len(h)-1].Rationale == "zqimported rationale" {
		t.Fatal("the importer approved their own rating")
	}
}

// TestScheduledRatingWaitsForItsDay: a rating imported with a second
// person's approval but dated after today is on no public surface —
// pages, map, downloads, feeds, API — until its day, when it is on all of
// them without any write; the import says it is scheduled.
func TestScheduledRatingWaitsForItsDay(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			env := webtest.New(t, webtest.Options{Engine: e})
			env.SetNow(time.Date(2030, 12, 31, 23, 59, 0, 0, time.UTC))
			before := snapshot(t, env)
			rep := importRating(t, env, `{"type":"rating","country":"KZ","effective_date":"2031-01-01","date_approximate":false,"score":85,"category":"open","rationale":"zqscheduled rationale","source":"zqscheduled source"}`,
				dataio.ImportOptions{Actor: env.Users[civicmon.RoleEditor].ID, ApprovedBy: env.Users[civicmon.RoleReviewer].ID, Today: civicmon.MustDate("2030-12-31")})
			if rep.Ratings.Created != 1 || !strings.Contains(rep.String(), "KZ open: scheduled for 2031-01-01, not public until that day") || strings.Contains(rep.String(), "now public") {
				t.Fatalf("report:\n%s", rep)
			}
			after := snapshot(t, env)
			for _, u := range ratingSurfaces {
				if after[u] != before[u] {
					t.Errorf("%s changed with a rating scheduled for tomorrow", u)
				}
			}
			env.Run(t, webtest.Scenario{URL: "/admin/ratings", As: "editor", Contains: []string{"Scheduled", "2031-01-01"}})

			env.SetNow(time.Date(2031, 1, 1, 0, 1, 0, 0, time.UTC))
			onItsDay := snapshot(t, env)
			for _, u := range []string{"/countries/kazakhstan", "/api/v1/countries/KZ", "/api/v1/ratings", "/data/ratings.csv", "/data/civicmon.json"} {
				if !strings.Contains(onItsDay[u], "zqscheduled") {
					t.Errorf("%s does not show the rating on its day", u)
				}
			}
			if onItsDay["/embed/map"] == before["/embed/map"] {
				t.Error("the map did not change on the rating's day")
			}
		})
	}
}
