package web_test

import "net/url"

// The API's rows of the authorization matrix. The matrix signs in with
// browsers, whose cookies are scoped to /admin and never reach /api/: to
// the API every one of them is anonymous. So public reads are open to all,
// and every operation that needs a permission is refused to all of them
// (403: no token). What each role's API token may do is
// TestAPITokenMatrix's, in api_test.go.
//
// The matrix tries patterns that are not POST with GET: the PUT row
// reaches the public read of the same path (a draft: 404 for everyone).
func init() {
	reads := map[string]string{
		"GET /api/v1/openapi.json":        "/api/v1/openapi.json",
		"GET /api/v1/countries":           "/api/v1/countries",
		"GET /api/v1/countries/{country}": "/api/v1/countries/kazakhstan",
		"GET /api/v1/ratings":             "/api/v1/ratings?country=KZ",
		"GET /api/v1/updates":             "/api/v1/updates",
		"GET /api/v1/updates/{id}":        "/api/v1/updates/wave-of-political-repression-witch-hunts-for-activists-marred-elections-and-scores-of-arrests",
		"GET /api/v1/incidents":           "/api/v1/incidents",
		"GET /api/v1/watchlist":           "/api/v1/watchlist",
		"GET /api/v1/watchlist/{date}":    "/api/v1/watchlist/2019-10-01",
		"GET /api/v1/vocabularies":        "/api/v1/vocabularies",
		"OPTIONS /api/v1/":                "/api/v1/countries",
		"/api/":                           "/api/v1/no-such-thing",
		"PUT /api/v1/updates/{id}":        "/api/v1/updates/%d",
	}
	for pattern, path := range reads {
		moreRules[pattern] = rule{path, nil, everyone}
	}
	nobody := allow()
	moreRules["GET /api/v1/updates/{id}/editorial"] = rule{"/api/v1/updates/%d/editorial", nil, nobody}
	moreRules["POST /api/v1/updates"] = rule{"/api/v1/updates", url.Values{"title": {"T"}}, nobody}
	moreRules["POST /api/v1/updates/{id}/actions/{action}"] = rule{"/api/v1/updates/%d/actions/submit", nil, nobody}

	// Values for the API's route parameters in the leak test: countries by
	// code and slug, and the slugs of the unpublished updates it plants
	// (their stable ids it takes from the data itself).
	moreParams["country"] = []string{"KZ", "kz", "kazakhstan", "chile", "ZZ"}
	moreParams["id"] = append(moreParams["id"], "hidden-draft", "hidden-in-review", "hidden-archived")
}
