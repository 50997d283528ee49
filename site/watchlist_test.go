package site_test

import (
	"net/http"
	"testing"

	"github.com/civicmon/civicmon/webtest"
)

// TestWatchlistPage: the newest edition, an older one by its date with its
// countries, every edition listed; dates that name no edition are 404.
func TestWatchlistPage(t *testing.T) {
	env := newEnv(t)
	editions := []string{`<a href="/watchlist/2022-03-01">CIVICUS Monitor Watchlist, March 2022</a>`,
		`<a href="/watchlist/2019-10-01">CIVICUS Monitor Watchlist, October 2019</a>`}
	env.Run(t,
		webtest.Scenario{URL: "/watchlist", Contains: append([]string{"<h1>CIVICUS Monitor Watchlist, March 2022</h1>"}, editions...)},
		webtest.Scenario{URL: "/watchlist/2019-10-01", Contains: append([]string{"<h1>CIVICUS Monitor Watchlist, October 2019</h1>",
			`<h2 id="w-KZ">`, "Kazakhstan"}, editions...)},
		webtest.Scenario{URL: "/watchlist/1999-01-01", Status: http.StatusNotFound},
		webtest.Scenario{URL: "/watchlist/junk", Status: http.StatusNotFound},
	)
}
