package storetest

// Language analysis on every engine: each form of a word finds the
// others, in English, French, Spanish and Russian (Snowball stemmers),
// Kazakh typed with Russian letters finds Kazakh, names find each other
// across scripts and spellings, and phrases stay on the exact words.

import (
	"slices"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqldb"
)

// langFixture is one published update per form: its slug, language, and
// body (the title and summary say nothing the queries look for).
var langFixture = []struct{ slug, lang, body string }{
	{"en-journalist", "en", "A journalist was fined."},
	{"en-journalists", "en", "Two journalists were fined."},
	{"en-protest", "en", "A protest took place."},
	{"en-protests", "en", "Protests spread."},
	{"en-protester", "en", "A protester was hurt."},
	{"en-protesting", "en", "Students protesting outside."},
	{"en-detain", "en", "The police may detain anyone."},
	{"en-detained", "en", "Many were detained."},
	{"en-detaining", "en", "Detaining critics is common."},
	{"fr-journaliste", "fr", "Une journaliste a été condamnée."},
	{"fr-journalistes", "fr", "Des journalistes ont été condamnés."},
	{"fr-manifestation", "fr", "La manifestation a été dispersée."},
	{"fr-manifestations", "fr", "Les manifestations continuent."},
	{"fr-manifestants", "fr", "Des manifestants blessés."},
	{"fr-arrete", "fr", "Il a été arrêté hier."},
	{"fr-arretes", "fr", "Ils ont été arrêtés hier."},
	{"fr-arretee", "fr", "Elle a été arrêtée hier."},
	{"es-periodista", "es", "Un periodista fue multado."},
	{"es-periodistas", "es", "Dos periodistas fueron multados."},
	{"es-detenido", "es", "Un activista detenido."},
	{"es-detenidos", "es", "Activistas detenidos."},
	{"es-detenida", "es", "Una activista detenida."},
	{"es-manifestacion", "es", "La manifestación terminó."},
	{"es-manifestaciones", "es", "Las manifestaciones crecieron."},
	{"ru-zhurnalist", "ru", "Журналист оштрафован."},
	{"ru-zhurnalisty", "ru", "Журналисты оштрафованы."},
	{"ru-zhurnalistov", "ru", "Задержали трёх журналистов."},
	{"ru-miting", "ru", "Митинг разогнали."},
	{"ru-mitingi", "ru", "Митинги продолжаются."},
	{"ru-mitingah", "ru", "Участники в митингах."},
	{"kk-qazaqstan", "kk", "Қазақстандағы сайлау."},
	{"kk-qazaqstan-nom", "kk", "Қазақстан сайлауы."},
	{"name-tokayev", "en", "President Tokayev spoke."},
	{"name-tokaev", "en", "President Tokaev spoke."},
	{"name-tokaiev", "fr", "Le président Tokaïev a parlé."},
	{"name-tokaev-ru", "ru", "Президент Токаев выступил."},
	{"name-tokaeva-ru", "ru", "Указ Токаева опубликован."},
	{"name-tokaevym-ru", "ru", "Встреча с Токаевым."},
	{"name-nazarbayev", "en", "Former president Nazarbayev."},
	{"name-nazarbaev", "en", "Former president Nazarbaev."},
	{"name-nazarbaev-ru", "ru", "Бывший президент Назарбаев."},
}

func langFixtureStore(t *testing.T, db *sqldb.DB) civicmon.Store {
	t.Helper()
	s := db.Store()
	seedCountries(t, s)
	day := civicmon.MustDate("2024-01-01")
	for i, f := range langFixture {
		u := civicmon.Update{Slug: f.slug, CountryCode: "KZ", Status: civicmon.StatusPublished, Language: f.lang,
			PublishedOn: day.AddDays(i), Title: "Update", Summary: "Summary.", Body: f.body,
			Freedoms: civicmon.NewFreedomSet(civicmon.Expression)}
		if err := s.CreateUpdate(ctx, &u); err != nil {
			t.Fatalf("CreateUpdate(%s): %v", f.slug, err)
		}
	}
	// A translation is analysed in its own language: an English update
	// with a Russian translation.
	u := civicmon.Update{Slug: "en-with-ru", CountryCode: "KZ", Status: civicmon.StatusPublished, Language: "en",
		PublishedOn: civicmon.MustDate("2023-01-01"), Title: "Rallies", Summary: "Summary.", Body: "Rallies were held.",
		Freedoms:     civicmon.NewFreedomSet(civicmon.Assembly),
		Translations: []civicmon.Translation{{Language: "ru", Title: "Митинги", Summary: "Итоги.", Body: "Прошли митингами."}}}
	if err := s.CreateUpdate(ctx, &u); err != nil {
		t.Fatal(err)
	}
	return s
}

func testSearchLanguages(t *testing.T, db *sqldb.DB) {
	s := langFixtureStore(t, db)
	// Each group: the updates, every one of whose forms finds all of
	// them (and perhaps others: a query is analysed in every language).
	groups := []struct {
		queries []string
		slugs   []string
	}{
		{[]string{"journalist", "journalists", "Journalist"}, []string{"en-journalist", "en-journalists"}},
		{[]string{"protest", "protests", "protester", "protesting"}, []string{"en-protest", "en-protests", "en-protester", "en-protesting"}},
		{[]string{"detain", "detained", "detaining"}, []string{"en-detain", "en-detained", "en-detaining"}},
		{[]string{"journaliste", "journalistes"}, []string{"fr-journaliste", "fr-journalistes"}},
		{[]string{"manifestation", "manifestations", "manifestants", "manifestación", "manifestaciones"},
			[]string{"fr-manifestation", "fr-manifestations", "fr-manifestants", "es-manifestacion", "es-manifestaciones"}},
		{[]string{"arrêté", "arrêtés", "arrêtée", "arrete", "arretes"}, []string{"fr-arrete", "fr-arretes", "fr-arretee"}},
		{[]string{"periodista", "periodistas"}, []string{"es-periodista", "es-periodistas"}},
		{[]string{"detenido", "detenidos", "detenida"}, []string{"es-detenido", "es-detenidos", "es-detenida"}},
		{[]string{"журналист", "журналисты", "журналистов", "журналиста"}, []string{"ru-zhurnalist", "ru-zhurnalisty", "ru-zhurnalistov"}},
		{[]string{"митинг", "митинги", "митингах", "МИТИНГ"}, []string{"ru-miting", "ru-mitingi", "ru-mitingah", "en-with-ru"}},
		// Kazakh: folded, so that Kazakh typed with Russian letters finds it.
		{[]string{"Қазақстан", "Казакстан", "казакстан"}, []string{"kk-qazaqstan-nom"}},
		// Names across scripts and spellings.
		{[]string{"Tokayev", "Tokaev", "Токаев", "Tokaïev", "tokaiev", "TOKAYEV", "Токаева", "Токаевым"},
			[]string{"name-tokayev", "name-tokaev", "name-tokaiev", "name-tokaev-ru", "name-tokaeva-ru", "name-tokaevym-ru"}},
		{[]string{"Nazarbayev", "Nazarbaev", "Назарбаев"}, []string{"name-nazarbayev", "name-nazarbaev", "name-nazarbaev-ru"}},
	}
	for _, g := range groups {
		for _, q := range g.queries {
			res := searchFor(t, s, civicmon.SearchQuery{Text: q, Limit: 100})
			got := hitSlugs(res)
			for _, want := range g.slugs {
				if !slices.Contains(got, want) {
					t.Errorf("search %q: got %q, missing %s", q, got, want)
				}
			}
		}
	}
	// Not everything: the words of one group do not find another's.
	for q, not := range map[string][]string{
		"protest":    {"en-journalist", "en-detained", "fr-manifestation", "ru-miting"},
		"journalist": {"en-protest", "es-periodista", "fr-manifestants"},
		"Tokayev":    {"name-nazarbayev", "name-nazarbaev-ru"},
		"митинг":     {"ru-zhurnalist", "en-protest"},
	} {
		got := hitSlugs(searchFor(t, s, civicmon.SearchQuery{Text: q, Limit: 100}))
		for _, n := range not {
			if slices.Contains(got, n) {
				t.Errorf("search %q: got %q, which should not hold %s", q, got, n)
			}
		}
	}
	// The exact form ranks above the others.
	for q, first := range map[string]string{
		"protester": "en-protester", "protests": "en-protests", "detained": "en-detained",
		"журналистов": "ru-zhurnalistov", "Tokaev": "name-tokaev", "Токаев": "name-tokaev-ru",
	} {
		res := searchFor(t, s, civicmon.SearchQuery{Text: q})
		if len(res.Hits) == 0 || res.Hits[0].Slug != first {
			t.Errorf("search %q: got %q, want %s first", q, hitSlugs(res), first)
		}
	}
	// "journalist" and "журналист" are one word in two scripts.
	if got := hitSlugs(searchFor(t, s, civicmon.SearchQuery{Text: "journalist", Limit: 100})); !slices.Contains(got, "ru-zhurnalist") {
		t.Errorf(`search "journalist": got %q, want ru-zhurnalist among them`, got)
	}
	// Phrases keep to the exact words.
	wantHits(t, s, text(`"journalist was"`), "en-journalist")
	wantHits(t, s, text(`"journalists was"`))
	wantHits(t, s, text(`"were detained"`), "en-detained")
	// Exclusions take every form too.
	got := hitSlugs(searchFor(t, s, civicmon.SearchQuery{Text: "fined -journalists", Limit: 100}))
	if len(got) != 0 {
		t.Errorf(`search "fined -journalists": got %q, want none`, got)
	}
}

func testSearchTypos(t *testing.T, db *sqldb.DB) {
	s := langFixtureStore(t, db)
	for _, c := range []struct {
		q, widened string
		want       []string
	}{
		{"jounralists", "journalists", []string{"en-journalists"}},                // two letters swapped
		{"journlists", "journalists", []string{"en-journalists"}},                 // one left out
		{"journalistsx", "journalists", []string{"en-journalists"}},               // one added
		{"Nazarbyev", "nazarbaev", []string{"name-nazarbaev", "name-nazarbayev"}}, // one changed (or added)
		{"журнлисты", "журналисты", []string{"ru-zhurnalisty"}},                   // in Cyrillic
		{"jounralists fined", "journalists fined", []string{"en-journalists"}},    // the other words kept
	} {
		res := searchFor(t, s, civicmon.SearchQuery{Text: c.q, Limit: 100})
		if got := hitSlugs(res); !slices.Equal(got, c.want) || res.Widened != c.widened {
			t.Errorf("search %q: got %q widened to %q; want %q widened to %q", c.q, got, res.Widened, c.want, c.widened)
		}
	}
	// Not widened: a word that matches as typed (or in another form),
	// a short word, a phrase, and a word with no neighbour either.
	for _, q := range []string{"journalist", "protesters", "fned", `"jounralists fined"`, "zzzzzzzz"} {
		res := searchFor(t, s, civicmon.SearchQuery{Text: q, Limit: 100})
		if res.Widened != "" {
			t.Errorf("search %q: widened to %q", q, res.Widened)
		}
	}
}

// testSearchDrafts: FindUpdates with Text (the workspace's search of
// drafts) finds what SearchUpdates finds, with the same analysis, and
// drafts too.
func testSearchDrafts(t *testing.T, db *sqldb.DB) {
	s := langFixtureStore(t, db)
	draft := civicmon.Update{Slug: "draft-protesters", CountryCode: "KZ", Status: civicmon.StatusDraft, Language: "en",
		Title: "Draft", Summary: "Protesters and Tokayev.", Body: "Not yet published."}
	if err := s.CreateUpdate(ctx, &draft); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"protest", "Токаев", "journalists", "митинг", `"journalist was"`, "fined -journalists",
		"manifestación", "detained OR protest", "Қазақстан", "nothinglikethis"} {
		res := searchFor(t, s, civicmon.SearchQuery{Text: q, Limit: 100})
		want := hitSlugs(res)
		slices.Sort(want)
		us, total, err := s.FindUpdates(ctx, civicmon.UpdateFilter{Text: q, Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range us {
			got = append(got, u.Slug)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) || total != len(want) {
			t.Errorf("FindUpdates(Text %q): %q (total %d); SearchUpdates found %q", q, got, total, want)
		}
	}
	us, total, err := s.FindUpdates(ctx, civicmon.UpdateFilter{Text: "protester tokaev", Statuses: []civicmon.Status{civicmon.StatusDraft}})
	if err != nil || total != 1 || len(us) != 1 || us[0].Slug != "draft-protesters" {
		t.Errorf("FindUpdates(drafts, Text): %v, %d, %v", us, total, err)
	}
	// Pages: offset and limit over the matches, the total of all.
	us, total, err = s.FindUpdates(ctx, civicmon.UpdateFilter{Text: "protest", Limit: 2, Offset: 1})
	if err != nil || total != 5 || len(us) != 2 { // four published, one draft
		t.Errorf("FindUpdates(Text, page): %d updates, total %d, %v", len(us), total, err)
	}
}
