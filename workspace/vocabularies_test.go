package workspace_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

func TestManageVocabularies(t *testing.T) {
	env := webtest.New(t)
	admin := env.SignedIn(t, civicmon.RoleAdmin)
	if r := admin.Post("/admin/vocabularies", url.Values{"kind": {"violation"}, "name": {"Travel ban"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("add term: %d %s", r.Status, r.Body)
	}
	v, _ := env.Store.Vocabulary(context.Background())
	if !v.HasViolation("travel-ban") {
		t.Fatal("the new violation type is not in the vocabulary")
	}
	if r := env.Client(t).Get("/tags/travel-ban"); r.Status != 200 {
		t.Fatalf("/tags/travel-ban: %d", r.Status)
	}
	env.Run(t,
		webtest.Scenario{URL: "/admin/vocabularies?done=1", As: "admin", Contains: []string{"Saved.", "Travel ban <code>travel-ban</code>", "Target groups"}},
		webtest.Scenario{Method: "POST", URL: "/admin/vocabularies", As: "admin", Form: url.Values{"kind": {"nope"}, "name": {"X"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"<code>kind</code>", `value="X"`}},
		webtest.Scenario{Method: "POST", URL: "/admin/vocabularies", As: "admin", Form: url.Values{"kind": {"target"}, "name": {"Students"}},
			Status: http.StatusSeeOther, Check: location("/admin/vocabularies?done=1")},
	)
}
