package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// The authorization matrix: every route of every surface, tried as
// anonymous and as each role. A route added without a row here fails it.

const waveSlug = "wave-of-political-repression-witch-hunts-for-activists-marred-elections-and-scores-of-arrests"

// apiRules are the API's rows. The matrix signs in with browsers, whose
// cookies are scoped to /admin and never reach /api/: to the API every one
// of them is anonymous. So public reads are open to all, and every
// operation that needs a permission is refused to all of them (403: no
// token). What each role's API token may do is the API's own tests'.
//
// The matrix tries patterns that are not POST with GET: the PUT row
// reaches the public read of the same path (a draft: 404 for everyone).
func apiRules() map[string]rule {
	moreRules := map[string]rule{}

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

	return moreRules
}

// siteRules are the rows of the site's feeds, citations, search and
// downloads.
func siteRules() map[string]rule {
	moreRules := map[string]rule{}
	for _, ext := range []string{"atom", "json"} {
		moreRules["GET /feed."+ext] = rule{"/feed." + ext, nil, everyone}
		moreRules["GET /countries/{country}/feed."+ext] = rule{"/countries/kazakhstan/feed." + ext, nil, everyone}
		moreRules["GET /regions/{region}/feed."+ext] = rule{"/regions/europe-central-asia/feed." + ext, nil, everyone}
		moreRules["GET /freedoms/{freedom}/feed."+ext] = rule{"/freedoms/expression/feed." + ext, nil, everyone}
		moreRules["GET /tags/{tag}/feed."+ext] = rule{"/tags/censorship/feed." + ext, nil, everyone}
	}
	for _, f := range []string{"bibtex", "ris", "csl-json", "text"} {
		moreRules["GET /updates/{slug}/cite/"+f] = rule{"/updates/" + waveSlug + "/cite/" + f, nil, everyone}
		moreRules["GET /countries/{slug}/cite/"+f] = rule{"/countries/kazakhstan/cite/" + f, nil, everyone}
	}
	moreRules["GET /updates"] = rule{"/updates?q=protest", nil, everyone}
	moreRules["GET /data/{file}"] = rule{"/data/updates.csv", nil, everyone}
	return moreRules
}

// rule is the expected answer of one route: which roles get through.
type rule struct {
	path  string // a concrete path for the pattern (%d: the researcher's draft, %e: the editor's)
	form  url.Values
	allow map[string]bool // "anonymous" and the roles
}

func allow(who ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range who {
		m[w] = true
	}
	return m
}

var everyone = allow("anonymous", "admin", "editor", "researcher", "reviewer")
var accounts = allow("admin", "editor", "researcher", "reviewer")

// TestAuthorizationMatrix tries every route the router has, as anonymous
// and as each role. A route added without a rule here fails the test.
func TestAuthorizationMatrix(t *testing.T) {
	env := webtest.New(t)
	preview := url.Values{"action": {"preview"}, "country": {"KZ"}, "title": {"T"}}
	// A save from an older version: answered with the conflict page, which
	// shows the update as stored, to those who may open it only.
	stale := url.Values{"action": {"save"}, "version": {"0"}, "country": {"KZ"}, "title": {"Stale"}}
	rules := map[string]rule{
		"GET /healthz":                          {"/healthz", nil, everyone},
		"GET /readyz":                           {"/readyz", nil, everyone},
		"GET /static/":                          {"/static/none.css", nil, everyone},
		"GET /{$}":                              {"/", nil, everyone},
		"GET /countries":                        {"/countries", nil, everyone},
		"GET /countries/{slug}":                 {"/countries/kazakhstan", nil, everyone},
		"GET /updates/{slug}":                   {"/updates/wave-of-political-repression-witch-hunts-for-activists-marred-elections-and-scores-of-arrests", nil, everyone},
		"GET /updates/{slug}/{lang}":            {"/updates/wave-of-political-repression-witch-hunts-for-activists-marred-elections-and-scores-of-arrests/ru", nil, everyone},
		"GET /regions/{slug}":                   {"/regions/africa", nil, everyone},
		"GET /freedoms/{slug}":                  {"/freedoms/expression", nil, everyone},
		"GET /tags/{slug}":                      {"/tags/censorship", nil, everyone},
		"GET /watchlist":                        {"/watchlist", nil, everyone},
		"GET /watchlist/{date}":                 {"/watchlist/2019-10-01", nil, everyone},
		"GET /methodology":                      {"/methodology", nil, everyone},
		"GET /embed/map":                        {"/embed/map", nil, everyone},
		"GET /statistics":                       {"/statistics", nil, everyone},
		"GET /reports/{year}":                   {"/reports/2020", nil, everyone},
		"GET /api/v1/statistics/counts":         {"/api/v1/statistics/counts", nil, everyone},
		"GET /api/v1/statistics/ratings":        {"/api/v1/statistics/ratings", nil, everyone},
		"GET /statistics/{file}":                {"/statistics/ratings.csv", nil, everyone},
		"GET /embed/statistics/{chart}":         {"/embed/statistics/ratings", nil, everyone},
		"GET /robots.txt":                       {"/robots.txt", nil, everyone},
		"GET /sitemap.xml":                      {"/sitemap.xml", nil, everyone},
		"GET /sitemaps/{name}":                  {"/sitemaps/pages.xml", nil, everyone},
		"/":                                     {"/no-such-page", nil, everyone},
		"GET /admin/login":                      {"/admin/login", nil, everyone},
		"POST /admin/login":                     {"/admin/login", url.Values{"email": {"x@example.org"}, "password": {"wrong password"}}, everyone},
		"POST /admin/logout":                    {"/admin/logout", url.Values{}, everyone},
		"GET /admin/login/2fa":                  {"/admin/login/2fa", nil, everyone},
		"POST /admin/login/2fa":                 {"/admin/login/2fa", url.Values{"code": {"000000"}}, everyone},
		"GET /admin/password-reset":             {"/admin/password-reset", nil, everyone},
		"POST /admin/password-reset":            {"/admin/password-reset", url.Values{"email": {"nobody@example.org"}}, everyone},
		"GET /admin/password-reset/{token}":     {"/admin/password-reset/not-a-token", nil, everyone},
		"POST /admin/password-reset/{token}":    {"/admin/password-reset/not-a-token", url.Values{"password": {"x"}}, everyone},
		"GET /admin/account/2fa":                {"/admin/account/2fa", nil, accounts},
		"POST /admin/account/2fa":               {"/admin/account/2fa", url.Values{"code": {"1"}}, accounts},
		"GET /admin/updates/{id}/history":       {"/admin/updates/%d/history", nil, allow("admin", "editor")},
		"GET /admin/updates/{id}/history#other": {"/admin/updates/%e/history", nil, allow("admin", "editor")},
		"GET /admin/ratings":                    {"/admin/ratings", nil, accounts},
		"POST /admin/ratings":                   {"/admin/ratings", url.Values{"country": {"KZ"}}, allow("admin", "editor")},
		"POST /admin/ratings/{id}/{decision}":   {"/admin/ratings/999999/approve", nil, allow("admin", "reviewer")},
		"GET /admin/watchlist":                  {"/admin/watchlist", nil, allow("admin", "editor")},
		"POST /admin/watchlist":                 {"/admin/watchlist", url.Values{"title": {"x"}}, allow("admin", "editor")},
		"GET /admin/users":                      {"/admin/users", nil, allow("admin")},
		"POST /admin/users":                     {"/admin/users", url.Values{"email": {"new@example.org"}, "password": {"short"}}, allow("admin")},
		"POST /admin/users/{id}":                {"/admin/users/999999", url.Values{"action": {"enable"}}, allow("admin")},
		"GET /admin/translations":               {"/admin/translations", nil, allow("admin", "editor")},
		"POST /admin/translations":              {"/admin/translations", url.Values{"kind": {"nope"}}, allow("admin", "editor")},
		"GET /admin/vocabularies":               {"/admin/vocabularies", nil, allow("admin")},
		"POST /admin/vocabularies":              {"/admin/vocabularies", url.Values{"kind": {"nope"}}, allow("admin")},
		"GET /admin/settings":                   {"/admin/settings", nil, allow("admin")},
		"POST /admin/settings":                  {"/admin/settings", url.Values{}, allow("admin")},
		"GET /admin/watchlist/{id}":             {"/admin/watchlist/1", nil, allow("admin", "editor")},
		"POST /admin/watchlist/{id}":            {"/admin/watchlist/1", url.Values{"title": {""}}, allow("admin", "editor")},
		"GET /admin/history/{entity}/{id}":      {"/admin/history/watchlist/1", nil, allow("admin", "editor", "reviewer")},
		"GET /admin":                            {"/admin", nil, accounts},
		"GET /admin/updates/new":                {"/admin/updates/new", nil, allow("admin", "editor", "researcher")},
		"POST /admin/updates":                   {"/admin/updates", preview, allow("admin", "editor", "researcher")},
		"GET /admin/updates/{id}":               {"/admin/updates/%d", nil, allow("admin", "editor", "researcher")},
		"POST /admin/updates/{id}":              {"/admin/updates/%d", preview, allow("admin", "editor", "researcher")},
		"GET /admin/updates/{id}#other":         {"/admin/updates/%e", nil, allow("admin", "editor")},
		// The archive (workspace/archive.go): a researcher sees their own updates; editors take bulk steps.
		"GET /admin/archive":                         {"/admin/archive?status=draft&q=draft", nil, allow("admin", "editor", "researcher")},
		"POST /admin/archive/bulk":                   {"/admin/archive/bulk", url.Values{"action": {"date"}}, allow("admin", "editor")},
		"GET /admin/archive/ratings":                 {"/admin/archive/ratings?status=pending", nil, accounts},
		"POST /admin/updates/{id}/comments":          {"/admin/updates/%d/comments", url.Values{"body": {"A comment"}}, allow("admin", "editor", "researcher")},
		"POST /admin/updates/{id}/comments#other":    {"/admin/updates/%e/comments", url.Values{"body": {"A comment"}}, allow("admin", "editor")},
		"GET /admin/account/notifications":           {"/admin/account/notifications", nil, accounts},
		"POST /admin/account/notifications":          {"/admin/account/notifications", url.Values{"want": {"ratings"}}, accounts},
		"GET /admin/archive/watchlist":               {"/admin/archive/watchlist?state=scheduled", nil, allow("admin", "editor")},
		"POST /admin/updates/{id}#other":             {"/admin/updates/%e", preview, allow("admin", "editor")},
		"POST /admin/updates/{id}#conflict":          {"/admin/updates/%d", stale, allow("admin", "editor", "researcher")},
		"POST /admin/updates/{id}#conflict-of-other": {"/admin/updates/%e", stale, allow("admin", "editor")},
		"POST /admin/watchlist/{id}#conflict":        {"/admin/watchlist/1", url.Values{"title": {"x"}, "published_on": {"2019-10-01"}, "version": {"0"}}, allow("admin", "editor")},
		"POST /admin/settings#conflict":              {"/admin/settings", url.Values{"version": {"99"}}, allow("admin")},
	}
	for pattern, rl := range apiRules() {
		rules[pattern] = rl
	}
	for pattern, rl := range siteRules() {
		rules[pattern] = rl
	}
	for _, r := range env.Server.Routes() {
		if _, ok := rules[r.Pattern]; !ok {
			t.Errorf("route %q has no rule in the authorization matrix: add one", r.Pattern)
		}
	}
	browsers := map[string]*webtest.Client{"anonymous": env.Client(t)}
	for _, role := range civicmon.Roles {
		browsers[string(role)] = env.SignedIn(t, role)
	}
	for pattern, rl := range rules {
		method := "GET"
		if strings.HasPrefix(pattern, "POST ") {
			method = "POST"
		}
		path := strings.NewReplacer("%d", fmt.Sprint(env.Drafts[civicmon.RoleResearcher].ID),
			"%e", fmt.Sprint(env.Drafts[civicmon.RoleEditor].ID)).Replace(rl.path)
		for who, b := range browsers {
			if pattern == "POST /admin/logout" {
				continue // it would end the session the other rows need; tested in TestLogin
			}
			var form url.Values
			if method == "POST" {
				form = url.Values{"csrf_token": {b.CSRF()}}
				for k, v := range rl.form {
					form[k] = v
				}
			}
			resp := b.Do(method, path, form)
			denied := resp.Status == http.StatusForbidden ||
				(resp.Status == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/admin/login?next="))
			if want := rl.allow[who]; denied == want {
				t.Errorf("%s %s as %s: status %d (Location %q); want allowed=%v", method, path, who, resp.Status, resp.Header.Get("Location"), want)
			}
		}
	}
}

// TestCSRF: every state-changing route refuses a request without the
// token, or with a wrong one, or from another site's page.
func TestCSRF(t *testing.T) {
	env := webtest.New(t)
	b := env.SignedIn(t, civicmon.RoleAdmin)
	for _, r := range env.Server.Routes() {
		if !strings.HasPrefix(r.Pattern, "POST ") {
			continue
		}
		path := strings.Replace(strings.TrimPrefix(r.Pattern, "POST "), "{id}", fmt.Sprint(env.Drafts[civicmon.RoleEditor].ID), 1)
		for name, form := range map[string]url.Values{
			"no token":    {"action": {"save"}},
			"wrong token": {"action": {"save"}, "csrf_token": {strings.Repeat("x", 43)}},
		} {
			if resp := b.Do("POST", path, form); resp.Status != http.StatusForbidden {
				t.Errorf("POST %s with %s: %d, want 403", path, name, resp.Status)
			}
		}
		req, _ := http.NewRequest("POST", env.URL+path, strings.NewReader(url.Values{"csrf_token": {b.CSRF()}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		if resp := b.Send(req); resp.Status != http.StatusForbidden {
			t.Errorf("POST %s from another origin: %d, want 403", path, resp.Status)
		}
	}
}
