package web_test

// The public site's rows of the authorization matrix (authz_test.go) and
// values for its route parameters in the leak test (leak_test.go): the
// site's routes are mounted by package site (its tests are there), and
// these tests walk every route of the assembled server.

import (
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
)

const waveSlug = "wave-of-political-repression-witch-hunts-for-activists-marred-elections-and-scores-of-arrests"

// The explore page.
func init() {
	moreRules["GET /updates"] = rule{"/updates?q=protest", nil, everyone}
}

// The data downloads.
func init() {
	moreRules["GET /data/{file}"] = rule{"/data/updates.csv", nil, everyone}
	moreParams["file"] = []string{"civicmon.ndjson", "civicmon.json", "countries.csv", "ratings.csv", "updates.csv", "incidents.csv"}
}

// The feed and citation routes in the authorization matrix, and values for
// the feeds' route parameters in the leak test.
func init() {
	for _, ext := range []string{"atom", "json"} {
		moreRules["GET /feed."+ext] = rule{"/feed." + ext, nil, everyone}
		moreRules["GET /countries/{country}/feed."+ext] = rule{"/countries/kazakhstan/feed." + ext, nil, everyone}
		moreRules["GET /regions/{region}/feed."+ext] = rule{"/regions/europe-central-asia/feed." + ext, nil, everyone}
		moreRules["GET /freedoms/{freedom}/feed."+ext] = rule{"/freedoms/expression/feed." + ext, nil, everyone}
		moreRules["GET /tags/{tag}/feed."+ext] = rule{"/tags/censorship/feed." + ext, nil, everyone}
	}
	for _, f := range []string{"bibtex", "ris", "csl-json"} {
		moreRules["GET /updates/{slug}/cite/"+f] = rule{"/updates/" + waveSlug + "/cite/" + f, nil, everyone}
	}
	cs, err := demo.Countries()
	if err != nil {
		panic(err)
	}
	for _, c := range cs {
		moreParams["country"] = append(moreParams["country"], c.Slug)
	}
	moreParams["country"] = append(moreParams["country"], "atlantis")
	for _, r := range civicmon.Regions {
		moreParams["region"] = append(moreParams["region"], string(r))
	}
	moreParams["region"] = append(moreParams["region"], "europe")
	for _, f := range civicmon.Freedoms {
		moreParams["freedom"] = append(moreParams["freedom"], string(f))
	}
	moreParams["freedom"] = append(moreParams["freedom"], "assembly")
	for _, v := range civicmon.DefaultViolations {
		moreParams["tag"] = append(moreParams["tag"], v.Slug)
	}
	moreParams["tag"] = append(moreParams["tag"], "nope")
}

// htmlUnescape reads back the few references html escaping writes.
func htmlUnescape(s string) string {
	return strings.NewReplacer("&#39;", "'", "&amp;", "&", "&quot;", `"`, "&lt;", "<", "&gt;", ">", "&#34;", `"`).Replace(s)
}
