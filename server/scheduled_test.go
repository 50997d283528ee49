package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// TestScheduledEditionWaitsForItsDay: a watchlist edition dated after
// today (by the server's clock) is on no public surface — pages, sitemap,
// API, downloads — and /watchlist/{date} is a 404; on its day it is on
// all of them, without any write to the data.
func TestScheduledEditionWaitsForItsDay(t *testing.T) {
	env := webtest.New(t)
	const title = "zqscheduled CIVICUS Monitor Watchlist, December 2026"
	day := civicmon.MustDate("2026-12-10")
	ed := civicmon.WatchlistEdition{PublishedOn: day, Title: title, Introduction: "zqscheduled introduction",
		Entries: []civicmon.WatchlistEntry{{CountryCode: "KZ", Narrative: "zqscheduled narrative"}, {CountryCode: "CL", Narrative: "zqscheduled narrative"}}}
	if err := env.Store.CreateWatchlistEdition(context.Background(), &ed); err != nil {
		t.Fatal(err)
	}
	const path = "/watchlist/2026-12-10"
	hidden := []string{"zqscheduled", path}

	env.SetNow(time.Date(2026, 12, 9, 23, 59, 0, 0, time.UTC))
	t.Run("the day before", func(t *testing.T) {
		env.Run(t,
			webtest.Scenario{URL: "/watchlist", Contains: []string{"<h1>CIVICUS Monitor Watchlist, March 2022</h1>"}, NotContains: hidden},
			webtest.Scenario{URL: path, Status: 404, NotContains: hidden[:1]},
			webtest.Scenario{URL: path + "?lang=fr", Status: 404, NotContains: hidden[:1]},
			webtest.Scenario{URL: "/watchlist/2019-10-01", Contains: []string{"CIVICUS Monitor Watchlist, October 2019"}, NotContains: hidden},
			webtest.Scenario{URL: "/", Contains: []string{"CIVICUS Monitor Watchlist, March 2022"}, NotContains: hidden},
			webtest.Scenario{URL: "/countries/chile", NotContains: append(hidden, "is on the watchlist")},
			webtest.Scenario{URL: "/countries/kazakhstan", Contains: []string{"CIVICUS Monitor Watchlist, March 2022"}, NotContains: hidden},
			webtest.Scenario{URL: "/feed.atom", NotContains: hidden},
			webtest.Scenario{URL: "/feed.json", NotContains: hidden},
			webtest.Scenario{URL: "/countries/chile/feed.atom", NotContains: hidden},
			webtest.Scenario{URL: "/sitemaps/pages.xml", Contains: []string{"/watchlist/2022-03-01"}, NotContains: hidden},
			webtest.Scenario{URL: "/api/v1/watchlist", Contains: []string{"2022-03-01"}, NotContains: append(hidden, "2026-12-10")},
			webtest.Scenario{URL: "/api/v1/watchlist/2026-12-10", Status: 404, NotContains: hidden[:1]},
			webtest.Scenario{URL: "/api/v1/countries/CL", NotContains: []string{"2026-12-10"}},
			webtest.Scenario{URL: "/api/v1/countries/KZ", Contains: []string{"2022-03-01"}, NotContains: []string{"2026-12-10"}},
			webtest.Scenario{URL: "/data/civicmon.json", NotContains: hidden},
			webtest.Scenario{URL: "/data/civicmon.ndjson", NotContains: hidden},
			webtest.Scenario{URL: "/data/countries.csv", NotContains: hidden},
		)
	})

	// The day comes: nothing is written, the edition is public.
	env.SetNow(time.Date(2026, 12, 10, 0, 1, 0, 0, time.UTC))
	t.Run("on its day", func(t *testing.T) {
		env.Run(t,
			webtest.Scenario{URL: "/watchlist", Contains: []string{"<h1>" + title + "</h1>", "zqscheduled narrative", `href="/watchlist/2022-03-01"`}},
			webtest.Scenario{URL: path, Contains: []string{"<h1>" + title + "</h1>"}},
			webtest.Scenario{URL: "/", Contains: []string{title}},
			webtest.Scenario{URL: "/countries/chile", Contains: []string{"is on the watchlist", title}},
			webtest.Scenario{URL: "/sitemaps/pages.xml", Contains: []string{path}},
			webtest.Scenario{URL: "/api/v1/watchlist", Contains: []string{title, "2022-03-01"}},
			webtest.Scenario{URL: "/api/v1/watchlist/2026-12-10", Contains: []string{title}},
			webtest.Scenario{URL: "/api/v1/countries/CL", Contains: []string{"2026-12-10"}},
		)
	})
}
