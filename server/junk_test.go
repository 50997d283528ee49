package server_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// junkFields are the form fields and query parameters the handlers read,
// each given a value no handler accepts.
var junkFields = []string{"action", "code", "country", "date", "date_approximate", "decision", "effective_date", "email",
	"entity", "export", "file", "freedom", "id", "introduction", "kind", "lang", "name", "next", "note", "page",
	"password", "password2", "published_on", "region", "required", "role", "score", "secret", "slug", "source",
	"tag", "title", "token", "violation", "q", "sort", "since", "until", "category", "target", "cursor", "limit"}

// junkValues fill a path's wildcards: a value of the wrong kind, an id
// that does not exist, a negative one.
var junkValues = []string{"zz-junk", "99999999", "-1", "0"}

// withJunk fills every {wildcard} of a route's path with v.
func withJunk(path, v string) string {
	for {
		i := strings.Index(path, "{")
		if i < 0 {
			return path
		}
		j := strings.Index(path[i:], "}")
		path = path[:i] + v + path[i+j+1:]
	}
}

// TestJunkIsNotAServerError posts junk to every POST route of the
// workspace as an admin, junk JSON to every write of the API with an
// admin's token, and asks every GET route of every surface for junk
// (wildcards and query parameters), and expects a 4xx answer saying so (or the page, or
// a redirect, when the junk is ignored) — never a 500, never an error in
// the log: bad input is the asker's mistake, not the server's.
func TestJunkIsNotAServerError(t *testing.T) {
	env := webtest.New(t)
	junkForm, negative, huge := url.Values{}, url.Values{}, url.Values{}
	for _, f := range junkFields {
		junkForm.Set(f, "zz-junk")
		negative.Set(f, "-1")
		huge.Set(f, "99999999999999999999")
	}
	draft := fmt.Sprint(env.Drafts[civicmon.RoleEditor].ID)
	var scenarios []webtest.Scenario
	for _, route := range env.Server.Routes() {
		method, path, ok := strings.Cut(route.Pattern, " ")
		if !ok || path == "/admin/logout" {
			continue // logging out would end the session
		}
		paths := []string{withJunk(path, "zz-junk")}
		if strings.Contains(path, "{") {
			paths = nil
			for _, v := range junkValues {
				paths = append(paths, withJunk(path, v))
			}
			// A real id with a junk decision or entity.
			if strings.Contains(path, "{id}/") {
				real := strings.Replace(path, "{id}", draft, 1)
				paths = append(paths, withJunk(real, "zz-junk"))
			}
		}
		for _, p := range paths {
			switch method {
			case "POST", "PUT":
				if strings.HasPrefix(path, "/api/") {
					// The API's writes, with an admin's token and junk JSON.
					for _, body := range []string{`{"title": 5}`, `{"action": "zz-junk", "country": "zz", "status": "zz-junk"}`, `[]`, `zz-junk`} {
						sc := junkScenario(method, p, nil)
						sc.As, sc.Body, sc.Header = "token:admin", body, map[string]string{"Content-Type": "application/json"}
						scenarios = append(scenarios, sc)
					}
					continue
				}
				if !strings.HasPrefix(path, "/admin") {
					continue
				}
				for _, form := range []url.Values{{"action": {"zz-junk"}}, {"decision": {"zz-junk"}}, junkForm} {
					scenarios = append(scenarios, junkScenario("POST", p, form))
				}
				if strings.Contains(path, "{id}") {
					real := strings.ReplaceAll(path, "{id}", draft)
					scenarios = append(scenarios, junkScenario("POST", real, url.Values{"action": {"zz-junk"}}), junkScenario("POST", real, junkForm))
				}
			case "GET":
				for _, q := range []url.Values{junkForm, negative, huge} {
					scenarios = append(scenarios, junkScenario("GET", p+"?"+q.Encode(), nil))
				}
			}
		}
	}
	// Unknown actions and decisions on records that exist.
	user := fmt.Sprint(env.Users[civicmon.RoleResearcher].ID)
	scenarios = append(scenarios,
		webtest.Scenario{Name: "unknown action on a user", Method: "POST", URL: "/admin/users/" + user, As: "admin",
			Form: url.Values{"action": {"zz-junk"}, "role": {"zz-junk"}}, Status: 404},
		webtest.Scenario{Name: "unknown role for a user", Method: "POST", URL: "/admin/users/" + user, As: "admin",
			Form: url.Values{"action": {"role"}, "role": {"zz-junk"}}, Status: 422},
		webtest.Scenario{Name: "unknown decision", Method: "POST", URL: "/admin/ratings/1/zz-junk", As: "admin",
			Form: url.Values{"note": {"zz-junk"}}, Status: 404},
		webtest.Scenario{Name: "unknown entity", URL: "/admin/history/zz-junk/1", As: "admin", Status: 404},
		webtest.Scenario{Name: "unknown action on a new update", Method: "POST", URL: "/admin/updates", As: "admin",
			Form:   url.Values{"title": {"Kept title"}, "country": {"KZ"}, "action": {"zz-junk"}},
			Status: 400, Contains: []string{"is not an action", "Kept title"}},
	)
	// The finding itself: an unknown action on the update form is a 400
	// that says so, with the form kept.
	scenarios = append(scenarios, webtest.Scenario{Name: "unknown action on an update", Method: "POST",
		URL: "/admin/updates/" + draft, As: "admin", Form: url.Values{"title": {"Kept title"}, "country": {"KZ"}, "action": {"zz-junk"}},
		Status: 400, Contains: []string{"zz-junk", "is not an action", "Kept title"}})
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			r := env.Do(t, sc)
			if sc.Check != nil {
				sc.Check(t, r)
			} else {
				sc.Expect(t, r)
			}
		})
	}
	for _, line := range strings.Split(env.Logs(), "\n") {
		if strings.Contains(line, "level=ERROR") && !strings.Contains(line, "path=/admin/password-reset status=503") {
			t.Errorf("junk input logged an error: %s", line)
		}
	}
}

func junkScenario(method, u string, form url.Values) webtest.Scenario {
	name := method + " " + u
	if form != nil {
		name += " " + form.Encode()
	}
	if len(name) > 120 {
		name = name[:120]
	}
	return webtest.Scenario{Name: name, Method: method, URL: u, As: "admin", Form: form,
		Check: func(t *testing.T, r *webtest.Response) {
			// A password reset answers 503 when the server has no mail to
			// send it with, as webtest's has not: that is not the junk.
			mailless := r.Status == 503 && method == "POST" && u == "/admin/password-reset"
			if (r.Status >= 500 && !mailless) || r.Status < 200 {
				t.Errorf("%s %s: %d, want a 4xx saying what is wrong: %.300s", method, u, r.Status, r.Body)
			}
		}}
}
