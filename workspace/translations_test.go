package workspace_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/civicmon/civicmon/webtest"
)

// TestTranslateFields: an editor sees each field's original beside its
// translation, saves a machine draft and then a reviewed translation (the
// public page shows only the reviewed one), filters by status, kind and
// language, removes a translation by emptying it, and a bad form keeps
// what was typed and names the field.
func TestTranslateFields(t *testing.T) {
	env := webtest.New(t)
	ctx := context.Background()
	eds, err := env.Store.WatchlistEditions(ctx)
	if err != nil || len(eds) == 0 {
		t.Fatal(err)
	}
	day := eds[0].PublishedOn.String()
	save := func(text, status string) url.Values {
		return url.Values{"kind": {"watchlist-title"}, "record": {day}, "lang": {"ru"}, "text": {text}, "status": {status},
			"filter_status": {"missing"}, "filter_kind": {""}}
	}
	env.Run(t,
		webtest.Scenario{URL: "/admin/translations", As: "editor", Contains: []string{
			"<h1>Translations</h1>", `<option value="fr" selected lang="fr">Français</option>`,
			"Watchlist title: " + day + " — Missing", `<blockquote lang="en">` + eds[0].Title + `</blockquote>`,
			"Violation type: censorship — Missing"}},
		webtest.Scenario{Method: "POST", URL: "/admin/translations", As: "editor", Form: save("Список (черновик)", "machine"),
			Status: http.StatusSeeOther, Check: location("/admin/translations?status=missing&to=ru&done=1")},
		webtest.Scenario{URL: "/admin/translations?to=ru&status=machine", As: "editor", Contains: []string{
			"Watchlist title: " + day + " — Machine draft", ">Список (черновик)</textarea>", "Fields shown: 1"}},
		webtest.Scenario{URL: "/watchlist?lang=ru", NotContains: []string{"Список (черновик)"}},
		webtest.Scenario{Method: "POST", URL: "/admin/translations", As: "editor", Form: save("Список Монитора (проверен)", "reviewed"), Status: http.StatusSeeOther},
		webtest.Scenario{URL: "/watchlist?lang=ru", Contains: []string{"<h1>Список Монитора (проверен)</h1>"}},
		webtest.Scenario{URL: "/admin/translations?to=ru&status=reviewed&kind=watchlist-title", As: "editor", Contains: []string{"Fields shown: 1", "— Reviewed"}},
		webtest.Scenario{URL: "/admin/translations?to=ru&status=missing&kind=watchlist-title", As: "editor", NotContains: []string{"Watchlist title: " + day + " —"}},
		webtest.Scenario{URL: "/admin/translations?to=es&kind=violation", As: "editor", Contains: []string{"Violation type: censorship — Missing"}, NotContains: []string{"Watchlist title: "}},
		webtest.Scenario{Method: "POST", URL: "/admin/translations", As: "editor",
			Form:   url.Values{"kind": {"watchlist-title"}, "record": {day}, "lang": {"ru"}, "text": {"Текст"}, "status": {"draft"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"<code>translation.status</code>"}},
		webtest.Scenario{Method: "POST", URL: "/admin/translations", As: "editor", Form: save("", "reviewed"), Status: http.StatusSeeOther},
		webtest.Scenario{URL: "/watchlist?lang=ru", NotContains: []string{"Список Монитора (проверен)"}},
		webtest.Scenario{URL: "/admin/translations", As: "researcher", Status: http.StatusForbidden},
	)
	fs, err := env.Store.FieldTranslations(ctx)
	if err != nil || len(fs) != 0 {
		t.Fatalf("after removing: %+v, %v", fs, err)
	}
}
