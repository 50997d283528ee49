package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

var (
	fuzzEnvOnce sync.Once
	fuzzEnv     *webtest.Env
)

// FuzzUpdateBody posts junk as the JSON body of a new update and of a
// replacement, through the whole API (a real SQLite database, a
// researcher's token): never a 5xx, and every refusal a problem document
// that says what is wrong; what is taken (201, 200) is an update.
func FuzzUpdateBody(f *testing.F) {
	fuzzEnvOnce.Do(func() { fuzzEnv = webtest.New(f) })
	env := fuzzEnv
	token := env.Tokens[civicmon.RoleResearcher]
	var draftID string
	{
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/api/v1/updates", strings.NewReader(`{"country":"KZ","title":"fuzz target"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		env.Server.Handler().ServeHTTP(rec, req)
		var out struct{ ID string }
		if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
			f.Fatalf("seed draft: %d %s", rec.Code, rec.Body)
		}
		draftID = out.ID
	}
	for _, s := range []string{
		`{"country":"KZ","title":"Activists detained","freedoms":["peaceful-assembly"],"violations":["detention-of-activists"],` +
			`"incidents":[{"freedom":"peaceful-assembly","violation":"detention-of-activists","target":"activists","people_affected":5}]}`,
		`{"country":"KZ","title":"t","published_on":"2026-02-30","period_start":"x","sources":[{"url":"javascript:alert(1)"}]}`,
		`{"country":"KZ","title":"t","incidents":[{"people_affected":-1}],"unknown":1}`,
		`{"title":["not","a","string"]}`, `[]`, `{} {}`, ``, `{"country":"KZ","title":"\u0000\ud800"}`,
	} {
		f.Add(false, []byte(s))
		f.Add(true, []byte(s))
	}
	f.Fuzz(func(t *testing.T, replace bool, body []byte) {
		method, url, ok := http.MethodPost, "/api/v1/updates", http.StatusCreated
		if replace {
			method, url, ok = http.MethodPut, "/api/v1/updates/"+draftID, http.StatusOK
		}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, url, strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		env.Server.Handler().ServeHTTP(rec, req)
		switch {
		case rec.Code == ok:
			var u struct{ ID, Title string }
			if err := json.Unmarshal(rec.Body.Bytes(), &u); err != nil || u.ID == "" {
				t.Fatalf("%s %s: %d with %s", method, url, rec.Code, rec.Body)
			}
		case rec.Code >= 400 && rec.Code < 500:
			var p struct {
				Title, Detail string
				Status        int
			}
			if rec.Header().Get("Content-Type") != "application/problem+json" || json.Unmarshal(rec.Body.Bytes(), &p) != nil ||
				p.Status != rec.Code || p.Detail == "" {
				t.Fatalf("%s %s: %d is not a problem document that says what is wrong: %s", method, url, rec.Code, rec.Body)
			}
		default:
			t.Fatalf("%s %s with %q: %d %s", method, url, body, rec.Code, rec.Body)
		}
	})
}
