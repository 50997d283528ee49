package site_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// kazakhstan is the country's name in each interface language.
var kazakhstan = map[string]string{"en": "Kazakhstan", "fr": "Kazakhstan", "es": "Kazajistán", "ru": "Казахстан"}

// before fails unless a comes before b in the body.
func before(t *testing.T, body, a, b string) {
	t.Helper()
	i, j := strings.Index(body, a), strings.Index(body, b)
	if i < 0 || j < 0 || i > j {
		t.Errorf("want %q (at %d) before %q (at %d)", a, i, b, j)
	}
}

// TestNamesInTheReadersLanguage: the country list, the country page, the
// map and its table, the watchlist and the feeds name countries in the
// page's language, and lists sort them in that language's order.
func TestNamesInTheReadersLanguage(t *testing.T) {
	env := newEnv(t)
	for lang, kz := range kazakhstan {
		q := "?lang=" + lang
		env.Run(t,
			webtest.Scenario{URL: "/countries" + q, Contains: []string{`<a href="/countries/kazakhstan` + q + `">` + kz + `</a>`}},
			webtest.Scenario{URL: "/countries/kazakhstan" + q, Contains: []string{"<h1>" + kz + "</h1>", "<title>" + kz + " — civicmon</title>"}},
			webtest.Scenario{URL: "/" + q, Contains: []string{`aria-label="` + kz + `: `, `>` + kz + `</a></th>`}},
			webtest.Scenario{URL: "/watchlist" + q, Contains: []string{">" + kz + "</a>"}},
			webtest.Scenario{URL: "/regions/europe-central-asia" + q, Contains: []string{">" + kz + "</a>"}},
			webtest.Scenario{URL: "/countries/kazakhstan/feed.atom" + q, Contains: []string{kz}},
		)
	}
	// Each language's alphabet: Germany and France swap places in Russian
	// and Spanish ("Германия" < "Франция", "Alemania" < "Francia").
	for lang, pair := range map[string][2]string{
		"en": {">France<", ">Germany<"}, "fr": {">Allemagne<", ">France<"},
		"es": {">Alemania<", ">Francia<"}, "ru": {">Германия<", ">Франция<"},
	} {
		env.Run(t, webtest.Scenario{URL: "/countries?lang=" + lang, Check: func(t *testing.T, r *webtest.Response) {
			before(t, r.Body, pair[0], pair[1])
		}})
	}
	// Accents sort with their letter, not after z: Égypte among the E's.
	env.Run(t, webtest.Scenario{URL: "/?lang=fr", Check: func(t *testing.T, r *webtest.Response) {
		before(t, r.Body, ">Égypte</a></th>", ">Érythrée</a></th>")
		before(t, r.Body, ">Érythrée</a></th>", ">Fidji</a></th>")
	}})
}

// TestAPICountryNames: the API's countries carry their names in every
// interface language, the English one being name.
func TestAPICountryNames(t *testing.T) {
	env := newEnv(t)
	env.Run(t, webtest.Scenario{URL: "/api/v1/countries/KZ", Check: func(t *testing.T, r *webtest.Response) {
		var c struct {
			Name  string            `json:"name"`
			Names map[string]string `json:"names"`
		}
		if err := json.Unmarshal([]byte(r.Body), &c); err != nil {
			t.Fatal(err)
		}
		if c.Name != "Kazakhstan" || len(c.Names) != len(kazakhstan) {
			t.Errorf("name %q, names %v", c.Name, c.Names)
		}
		for l, want := range kazakhstan {
			if c.Names[l] != want {
				t.Errorf("names[%s] = %q, want %q", l, c.Names[l], want)
			}
		}
	}})
}

// TestUpdatePagesInTheReadersLanguage: an update without a translation
// shows its original, marked with its language, under menus, names and
// dates in the reader's language; one with a translation in the reader's
// language shows that, with the original a link away.
func TestUpdatePagesInTheReadersLanguage(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	u := &civicmon.Update{CountryCode: "KZ", Title: "Protest in Almaty", Slug: "protest-in-almaty", Summary: "A protest.",
		Body: "People protested.", Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2026-03-05"), Language: "en",
		Freedoms: civicmon.NewFreedomSet(civicmon.Assembly),
		Translations: []civicmon.Translation{
			{Language: "fr", Title: "Manifestation à Almaty", Summary: "Une manifestation.", Body: "Des gens ont manifesté."},
			{Language: "ru", Title: "Протест в Алматы", Summary: "Протест.", Body: "Люди протестовали."}}}
	plain := &civicmon.Update{CountryCode: "KZ", Title: "Law on NGOs", Slug: "law-on-ngos", Summary: "A law.", Body: "A law passed.",
		Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2026-03-05"), Language: "en",
		Freedoms: civicmon.NewFreedomSet(civicmon.Association)}
	for _, x := range []*civicmon.Update{u, plain} {
		if err := env.Store.CreateUpdate(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	date := map[string]string{"en": "5 March 2026", "fr": "5 mars 2026", "es": "5 de marzo de 2026", "ru": "5 марта 2026 г."}
	title := map[string]string{"en": "Protest in Almaty", "fr": "Manifestation à Almaty", "es": "Protest in Almaty", "ru": "Протест в Алматы"}
	textLang := map[string]string{"en": "en", "fr": "fr", "es": "en", "ru": "ru"}
	for lang, kz := range kazakhstan {
		q := "?lang=" + lang
		env.Run(t,
			webtest.Scenario{URL: "/updates/protest-in-almaty" + q, Contains: []string{
				`<html lang="` + lang + `"`, `<article class="update" lang="` + textLang[lang] + `" dir="auto">`,
				"<h1>" + title[lang] + "</h1>", ">" + kz + "</a>", date[lang], `<p class="also-in" lang="` + lang + `">`,
			}},
			webtest.Scenario{URL: "/updates/law-on-ngos" + q, Contains: []string{
				`<html lang="` + lang + `"`, `<article class="update" lang="en" dir="auto">`, "<h1>Law on NGOs</h1>",
				">" + kz + "</a>", date[lang],
			}, NotContains: []string{`class="also-in"`}},
		)
	}
}

// TestFeedInTheReadersLanguage: a feed in Russian carries the Russian
// translation of an update that has one, linked to it, and names the
// country in Russian.
func TestFeedInTheReadersLanguage(t *testing.T) {
	env := newEnv(t)
	u := &civicmon.Update{CountryCode: "KZ", Title: "Protest in Almaty", Slug: "protest-in-almaty", Summary: "A protest.",
		Body: "People protested.", Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2026-03-05"), Language: "en",
		Freedoms:     civicmon.NewFreedomSet(civicmon.Assembly),
		Translations: []civicmon.Translation{{Language: "ru", Title: "Протест в Алматы", Summary: "Протест.", Body: "Люди протестовали."}}}
	if err := env.Store.CreateUpdate(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	env.Run(t,
		webtest.Scenario{URL: "/countries/kazakhstan/feed.atom?lang=ru", Contains: []string{
			"Протест в Алматы", "/updates/protest-in-almaty/ru", `label="Казахстан"`}, NotContains: []string{"Protest in Almaty"}},
		webtest.Scenario{URL: "/countries/kazakhstan/feed.atom?lang=es", Contains: []string{"Protest in Almaty", `label="Kazajistán"`}},
	)
}

// TestTranslatedFields: a reviewed translation of a watchlist edition's
// title and narrative, of a term and of a rating's rationale shows to
// readers of its language; a machine draft does not, and other languages
// keep the original.
func TestTranslatedFields(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	eds, err := env.Store.WatchlistEditions(ctx)
	if err != nil || len(eds) == 0 {
		t.Fatal(err)
	}
	ed := eds[0]
	day := ed.PublishedOn.String()
	hist, err := env.Store.RatingHistory(ctx, "KZ")
	if err != nil || len(hist) == 0 {
		t.Fatal(err)
	}
	rating := hist[len(hist)-1]
	for _, f := range []civicmon.FieldTranslation{
		{Kind: civicmon.FieldWatchlistTitle, Record: day, Lang: "ru", Text: "Список наблюдения (перевод)", Status: civicmon.TranslationReviewed},
		{Kind: civicmon.FieldWatchlistTitle, Record: day, Lang: "fr", Text: "Brouillon automatique", Status: civicmon.TranslationMachine},
		{Kind: civicmon.FieldWatchlistNarrative, Record: day + "/" + ed.Entries[0].CountryCode, Lang: "ru", Text: "Повествование по-русски.", Status: civicmon.TranslationReviewed},
		{Kind: civicmon.FieldRatingRationale, Record: fmt.Sprint(rating.ID), Lang: "es", Text: "Razón traducida.", Status: civicmon.TranslationReviewed},
	} {
		if err := env.Store.SaveFieldTranslation(ctx, &f); err != nil {
			t.Fatal(err)
		}
	}
	env.Run(t,
		webtest.Scenario{URL: "/watchlist?lang=ru", Contains: []string{"<h1>Список наблюдения (перевод)</h1>", "Повествование по-русски."}},
		webtest.Scenario{URL: "/watchlist?lang=fr", Contains: []string{"<h1>" + html.EscapeString(ed.Title) + "</h1>"}, NotContains: []string{"Brouillon automatique", "Повествование"}},
		webtest.Scenario{URL: "/watchlist?lang=en", Contains: []string{"<h1>" + html.EscapeString(ed.Title) + "</h1>"}},
		webtest.Scenario{URL: "/countries/kazakhstan?lang=es", Contains: []string{"Razón traducida."}},
	)
}

// TestListsInTheReadersLanguage: lists of updates show the translation in
// the page's language where there is one, and mark each title and summary
// with the language it is in.
func TestListsInTheReadersLanguage(t *testing.T) {
	env := newEnv(t)
	u := &civicmon.Update{CountryCode: "KZ", Title: "Protest in Almaty", Slug: "protest-in-almaty", Summary: "A protest.",
		Body: "People protested.", Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2026-11-30"), Language: "en",
		Freedoms:     civicmon.NewFreedomSet(civicmon.Assembly),
		Translations: []civicmon.Translation{{Language: "ru", Title: "Протест в Алматы", Summary: "Протест.", Body: "Люди протестовали."}}}
	if err := env.Store.CreateUpdate(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	env.Run(t,
		webtest.Scenario{URL: "/countries/kazakhstan?lang=ru", Contains: []string{
			`<h3 lang="ru"><a href="/updates/protest-in-almaty?lang=ru">Протест в Алматы</a></h3>`, `<p lang="ru">Протест.</p>`}},
		webtest.Scenario{URL: "/countries/kazakhstan?lang=es", Contains: []string{
			`<h3 lang="en"><a href="/updates/protest-in-almaty?lang=es">Protest in Almaty</a></h3>`, `<p lang="en">A protest.</p>`}},
	)
}
