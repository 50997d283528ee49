package workspace_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/civicmon/civicmon"
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
	save := func(text, status, version string) url.Values {
		return url.Values{"kind": {"watchlist-title"}, "record": {day}, "lang": {"ru"}, "text": {text}, "status": {status},
			"filter_status": {"missing"}, "filter_kind": {""}, "version": {version}}
	}
	env.Run(t,
		webtest.Scenario{URL: "/admin/translations", As: "editor", Contains: []string{
			"<h1>Translations</h1>", `<option value="fr" selected lang="fr">Français</option>`,
			"Watchlist title: " + day + " — Missing", `<blockquote lang="en">` + eds[0].Title + `</blockquote>`,
			"Violation type: censorship — Missing"}},
		webtest.Scenario{Method: "POST", URL: "/admin/translations", As: "editor", Form: save("Список (черновик)", "machine", "0"),
			Status: http.StatusSeeOther, Check: location("/admin/translations?status=missing&to=ru&done=1")},
		webtest.Scenario{URL: "/admin/translations?to=ru&status=machine", As: "editor", Contains: []string{
			"Watchlist title: " + day + " — Machine draft", ">Список (черновик)</textarea>", "Fields shown: 1"}},
		webtest.Scenario{URL: "/watchlist?lang=ru", NotContains: []string{"Список (черновик)"}},
		webtest.Scenario{Method: "POST", URL: "/admin/translations", As: "editor", Form: save("Список Монитора (проверен)", "reviewed", "1"), Status: http.StatusSeeOther},
		webtest.Scenario{URL: "/watchlist?lang=ru", Contains: []string{"<h1>Список Монитора (проверен)</h1>"}},
		webtest.Scenario{URL: "/admin/translations?to=ru&status=reviewed&kind=watchlist-title", As: "editor", Contains: []string{"Fields shown: 1", "— Reviewed"}},
		webtest.Scenario{URL: "/admin/translations?to=ru&status=missing&kind=watchlist-title", As: "editor", NotContains: []string{"Watchlist title: " + day + " —"}},
		webtest.Scenario{URL: "/admin/translations?to=es&kind=violation", As: "editor", Contains: []string{"Violation type: censorship — Missing"}, NotContains: []string{"Watchlist title: "}},
		webtest.Scenario{Method: "POST", URL: "/admin/translations", As: "editor",
			Form:   url.Values{"kind": {"watchlist-title"}, "record": {day}, "lang": {"ru"}, "text": {"Текст"}, "status": {"draft"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"<code>translation.status</code>"}},
		webtest.Scenario{Method: "POST", URL: "/admin/translations", As: "editor", Form: save("", "reviewed", "2"), Status: http.StatusSeeOther},
		webtest.Scenario{URL: "/watchlist?lang=ru", NotContains: []string{"Список Монитора (проверен)"}},
		webtest.Scenario{URL: "/admin/translations", As: "researcher", Status: http.StatusForbidden},
	)
	fs, err := env.Store.FieldTranslations(ctx)
	if err != nil || len(fs) != 0 {
		t.Fatalf("after removing: %+v, %v", fs, err)
	}
}

// TestTranslationConflict: a translation saved from a form opened at an
// older version — another person saved it meanwhile — is refused (409)
// with both texts side by side and the person's text and status kept in
// the row's form, now at the saved version, shown whatever the list's
// filters; saving that form again ("keep mine") stores it. A removal from
// an older version is refused the same way.
func TestTranslationConflict(t *testing.T) {
	env := webtest.New(t)
	ctx := context.Background()
	eds, err := env.Store.WatchlistEditions(ctx)
	if err != nil || len(eds) == 0 {
		t.Fatal(err)
	}
	day := eds[0].PublishedOn.String()
	first := civicmon.FieldTranslation{Kind: civicmon.FieldWatchlistTitle, Record: day, Lang: "ru", Text: "Первый перевод", Status: civicmon.TranslationMachine}
	if err := env.Store.SaveFieldTranslation(ctx, &first); err != nil {
		t.Fatal(err)
	}
	save := func(text, status, version string) url.Values {
		return url.Values{"kind": {"watchlist-title"}, "record": {day}, "lang": {"ru"}, "text": {text}, "status": {status},
			"filter_status": {"missing"}, "filter_kind": {""}, "version": {version}}
	}
	env.Run(t,
		// Both tabs open the form at version 1.
		webtest.Scenario{URL: "/admin/translations?to=ru&kind=watchlist-title", As: "editor", Contains: []string{
			`<input type="hidden" name="version" value="1">`, ">Первый перевод</textarea>"}},
		webtest.Scenario{Method: "POST", URL: "/admin/translations", As: "admin", Form: save("Их перевод", "reviewed", "1"), Status: http.StatusSeeOther},
		webtest.Scenario{Method: "POST", URL: "/admin/translations", As: "editor", Form: save("Мой перевод", "machine", "1"),
			Status: http.StatusConflict, Contains: []string{
				"Your changes are not saved yet, and nothing you typed is lost",
				"Version 2 was saved while you were editing version 1.",
				`<div class="text">Мой перевод</div>`, `<div class="text">Их перевод</div>`,
				// The row is shown though the filter asks for missing ones,
				// with the person's text and status, at the saved version.
				">Мой перевод</textarea>", `<option value="machine" selected>`,
				`<input type="hidden" name="version" value="2">`,
				`form="t-form-0" name="action" value="save"`}},
	)
	fs, err := env.Store.FieldTranslations(ctx)
	if err != nil || len(fs) != 1 || fs[0].Text != "Их перевод" || fs[0].Version != 2 {
		t.Fatalf("after the refused save: %+v, %v", fs, err)
	}
	env.Run(t,
		// A removal from version 1 would drop their text: refused too.
		webtest.Scenario{Method: "POST", URL: "/admin/translations", As: "editor", Form: save("", "machine", "1"),
			Status: http.StatusConflict, Contains: []string{`<div class="text">Их перевод</div>`}},
		// Keep mine: the form, now at version 2, saves.
		webtest.Scenario{Method: "POST", URL: "/admin/translations", As: "editor", Form: save("Мой перевод", "machine", "2"), Status: http.StatusSeeOther},
	)
	fs, err = env.Store.FieldTranslations(ctx)
	if err != nil || len(fs) != 1 || fs[0].Text != "Мой перевод" || fs[0].Status != civicmon.TranslationMachine || fs[0].Version != 3 {
		t.Fatalf("after keeping mine: %+v, %v", fs, err)
	}
}
