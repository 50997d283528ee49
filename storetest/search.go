package storetest

// The search conformance suite: the same queries, filters and pages on
// every engine, with the same expected results and facet counts, spelled
// out here — so SQLite (FTS5) and PostgreSQL (tsvector) answer alike.

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/search"
	"github.com/civicmon/civicmon/sqldb"
)

func testSearch(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	searchFixture(t, db)
	for _, sub := range []struct {
		name string
		fn   func(t *testing.T, s civicmon.Store)
	}{
		{"Text", testSearchText},
		{"Filters", testSearchFilters},
		{"Facets", testSearchFacets},
		{"Snippets", testSearchSnippets},
		{"BadInput", testSearchBadInput},
	} {
		t.Run(sub.name, func(t *testing.T) { sub.fn(t, s) })
	}
	// The same answers when the work is split into parts by update id
	// (SQLite splits searches over many updates; PostgreSQL never does,
	// and must ignore this): three parts for eight updates, and more parts
	// than updates.
	for _, parts := range []int{3, 20} {
		db.SetSearchParts(parts)
		for _, sub := range []struct {
			name string
			fn   func(t *testing.T, s civicmon.Store)
		}{
			{"Text", testSearchText},
			{"Filters", testSearchFilters},
			{"Facets", testSearchFacets},
		} {
			t.Run(fmt.Sprintf("%s/%dParts", sub.name, parts), func(t *testing.T) { sub.fn(t, s) })
		}
	}
	db.SetSearchParts(0)
	// These change the data: after the read-only ones.
	t.Run("Pages", func(t *testing.T) { testSearchPages(t, s) })
	t.Run("Writes", func(t *testing.T) { testSearchWrites(t, db) })
	t.Run("OtherProcess", func(t *testing.T) { testSearchOtherProcess(t, db) })
	t.Run("Reindex", func(t *testing.T) { testSearchReindex(t, db) })
	t.Run("ManyTerms", func(t *testing.T) { testSearchManyTerms(t, db) })
	t.Run("Random", func(t *testing.T) { testSearchRandom(t, db) }) // storetest/search_random.go
}

var cotedIvoire = civicmon.Country{Code: "CI", Code3: "CIV", Name: "Côte d'Ivoire", Slug: "cote-divoire", Region: civicmon.RegionAfrica}

// searchFixture stores three countries, their ratings and eight updates,
// of which five are published. The clock says 2025-06-01.
func searchFixture(t *testing.T, db *sqldb.DB) {
	t.Helper()
	db.Now = func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }
	s := db.Store()
	seedCountries(t, s)
	if err := s.PutCountry(ctx, &cotedIvoire); err != nil {
		t.Fatal(err)
	}
	for _, r := range []civicmon.Rating{
		{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2019-12-04"), Category: civicmon.Obstructed},
		{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2022-06-21"), Score: 30},
		{CountryCode: "CL", EffectiveDate: civicmon.MustDate("2020-01-01"), Category: civicmon.Narrowed},
		// not yet in force: Chile's current category stays Narrowed
		{CountryCode: "CL", EffectiveDate: civicmon.MustDate("2099-01-01"), Category: civicmon.Closed},
	} {
		if err := s.AddRating(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	in := func(f civicmon.Freedom, v, target string) civicmon.Incident {
		return civicmon.Incident{Freedom: f, Violation: v, Target: target}
	}
	pub := civicmon.StatusPublished
	for _, u := range []civicmon.Update{
		{Slug: "kz-shutdown", CountryCode: "KZ", Status: pub, PublishedOn: civicmon.MustDate("2022-01-06"),
			Title:   "Internet shutdown in Almaty during protests",
			Summary: "Authorities cut mobile internet as thousands gathered in Almaty.",
			Body: "## What happened\n\nPolice detained journalists covering the protests. Access was restored after " +
				"five days.\n\nSee [the report](https://example.org/kz-report).",
			Freedoms:   civicmon.NewFreedomSet(civicmon.Assembly, civicmon.Expression),
			Violations: []string{"internet-shutdown", "detention-of-journalists"},
			Incidents: []civicmon.Incident{in(civicmon.Expression, "internet-shutdown", "citizens"),
				in(civicmon.Expression, "detention-of-journalists", "journalists")}},
		{Slug: "kz-svoboda", CountryCode: "KZ", Status: pub, PublishedOn: civicmon.MustDate("2023-03-01"), Language: "ru",
			Title:      "Қазақстан: свобода собраний под угрозой",
			Summary:    "Свобода мирных собраний ограничена новым законом.",
			Body:       "Власти приняли закон. Ёлка на площади.",
			Freedoms:   civicmon.NewFreedomSet(civicmon.Assembly),
			Violations: []string{"restrictive-law"},
			Incidents:  []civicmon.Incident{in(civicmon.Assembly, "restrictive-law", "hrds")}},
		{Slug: "ci-journalists", CountryCode: "CI", Status: pub, PublishedOn: civicmon.MustDate("2021-05-10"),
			Title:      "Côte d'Ivoire: journalists detained after election",
			Summary:    "Two journalists were detained in Abidjan.",
			Body:       "The journalists detained were released on bail.",
			Freedoms:   civicmon.NewFreedomSet(civicmon.Expression),
			Violations: []string{"detention-of-journalists"},
			Incidents:  []civicmon.Incident{in(civicmon.Expression, "detention-of-journalists", "journalists")}},
		{Slug: "cl-tear-gas", CountryCode: "CL", Status: pub, PublishedOn: civicmon.MustDate("2020-11-11"),
			Title:      "Chile: excessive force against protesters",
			Summary:    "Police used tear gas and rubber bullets.",
			Body:       "Protesters in Santiago reported injuries. Tear gas was fired into the crowd.",
			Freedoms:   civicmon.NewFreedomSet(civicmon.Assembly),
			Violations: []string{"excessive-force"},
			Incidents:  []civicmon.Incident{in(civicmon.Assembly, "excessive-force", "protesters")}},
		{Slug: "cl-law", CountryCode: "CL", Status: pub, PublishedOn: civicmon.MustDate("2024-02-02"),
			Title:      "Chile: new restrictive law on protests",
			Summary:    "Parliament adopted a law restricting protests.",
			Body:       "The law was adopted.",
			Freedoms:   civicmon.NewFreedomSet(civicmon.Assembly, civicmon.Association),
			Violations: []string{"restrictive-law"},
			Translations: []civicmon.Translation{{Language: "es", Title: "Chile: nueva ley restrictiva",
				Summary: "El parlamento aprobó una ley contra la protesta.", Body: "La ley fue aprobada."}},
			// private: never indexed
			InternalNotes: "canaryprivatenote internet shutdown",
			Sources:       []civicmon.Source{{Title: "Report", Contact: "canarycontact@example.org"}}},
		{Slug: "kz-draft", CountryCode: "KZ", Status: civicmon.StatusDraft,
			Title: "Internet shutdown canarydraft", Summary: "Draft about internet shutdown."},
		{Slug: "kz-review", CountryCode: "KZ", Status: civicmon.StatusInReview,
			Title: "Internet shutdown canaryreview"},
		{Slug: "kz-archived", CountryCode: "KZ", Status: civicmon.StatusArchived, PublishedOn: civicmon.MustDate("2019-01-01"),
			Title: "Internet shutdown canaryarchived"},
	} {
		if err := s.CreateUpdate(ctx, &u); err != nil {
			t.Fatalf("CreateUpdate(%s): %v", u.Slug, err)
		}
	}
}

// searchFor runs a search that must succeed.
func searchFor(t *testing.T, s civicmon.Store, q civicmon.SearchQuery) *civicmon.SearchResult {
	t.Helper()
	res, err := s.SearchUpdates(ctx, q)
	if err != nil {
		t.Fatalf("SearchUpdates(%+v): %v", q, err)
	}
	if res.Total < len(res.Hits) {
		t.Fatalf("SearchUpdates(%+v): total %d < %d hits", q, res.Total, len(res.Hits))
	}
	return res
}

func hitSlugs(res *civicmon.SearchResult) []string {
	out := []string{}
	for _, h := range res.Hits {
		out = append(out, h.Slug)
	}
	return out
}

// wantHits checks the slugs of the first page, in order, and the total.
func wantHits(t *testing.T, s civicmon.Store, q civicmon.SearchQuery, want ...string) *civicmon.SearchResult {
	t.Helper()
	res := searchFor(t, s, q)
	if got := hitSlugs(res); !slices.Equal(got, want) || res.Total != len(want) {
		t.Errorf("search %+v:\n got %q (total %d)\nwant %q", q, got, res.Total, want)
	}
	return res
}

func text(q string) civicmon.SearchQuery { return civicmon.SearchQuery{Text: q} }

func sorted(q string, sort civicmon.SearchSort) civicmon.SearchQuery {
	return civicmon.SearchQuery{Text: q, Sort: sort}
}

func testSearchText(t *testing.T, s civicmon.Store) {
	// Everything published, newest first; drafts, updates in review and
	// archived ones never.
	wantHits(t, s, text(""), "cl-law", "kz-svoboda", "kz-shutdown", "ci-journalists", "cl-tear-gas")
	wantHits(t, s, text("internet shutdown"), "kz-shutdown")
	for _, q := range []string{"canarydraft", "canaryreview", "canaryarchived", "canaryprivatenote", "canarycontact",
		"example", "org", "kz"} {
		wantHits(t, s, text(q)) // nor private fields, nor link targets
	}
	// A link's text is; "reported" is a form of the word, after it.
	wantHits(t, s, text("report"), "kz-shutdown", "cl-tear-gas")
	// Only the published update's words; its private note says "internet".
	wantHits(t, s, text("internet"), "kz-shutdown")

	// Cyrillic, Kazakh letters, case, ё.
	for _, q := range []string{"Қазақстан", "қазақстан", "ҚАЗАҚСТАН", "свобода", "СВОБОДА", "елка", "ЁЛКА", `"мирных собраний"`} {
		wantHits(t, s, text(q), "kz-svoboda")
	}
	wantHits(t, s, text("казахстан")) // к is not қ
	// Diacritics and case.
	for _, q := range []string{"cote", "Côte", "CÔTE", "Côte d'Ivoire", `"cote d ivoire"`, "COTE D’IVOIRE", "ivoire"} {
		wantHits(t, s, text(q), "ci-journalists")
	}
	wantHits(t, s, text("aprobo"), "cl-law") // aprobó, in a translation
	wantHits(t, s, text("nueva ley"), "cl-law")

	// Relevance: words in the title first, then the summary; newest first
	// among equals.
	wantHits(t, s, text("journalists"), "ci-journalists", "kz-shutdown")
	wantHits(t, s, sorted("journalists", civicmon.SortNewest), "kz-shutdown", "ci-journalists")
	wantHits(t, s, sorted("journalists", civicmon.SortOldest), "ci-journalists", "kz-shutdown")
	// "protesters" is a form of "protests" (in the title), below the
	// exact word (in the body).
	wantHits(t, s, text("protests"), "cl-law", "kz-shutdown", "cl-tear-gas")
	wantHits(t, s, sorted("", civicmon.SortOldest), "cl-tear-gas", "ci-journalists", "kz-shutdown", "kz-svoboda", "cl-law")

	// Phrases, exclusion, OR.
	wantHits(t, s, text(`"journalists detained"`), "ci-journalists")
	wantHits(t, s, text(`"detained journalists"`), "kz-shutdown")
	wantHits(t, s, text(`"journalists detained`), "ci-journalists") // unclosed
	wantHits(t, s, text(`journalists -almaty`), "ci-journalists")
	wantHits(t, s, text(`journalists -"cote d'ivoire"`), "kz-shutdown")
	wantHits(t, s, text(`"tear gas" OR shutdown`), "kz-shutdown", "cl-tear-gas")
	wantHits(t, s, text(`"tear gas" | shutdown police`), "kz-shutdown", "cl-tear-gas")
	wantHits(t, s, text(`"tear gas" or shutdown`)) // "or" is a word
	wantHits(t, s, text(`-shutdown`), "cl-law", "kz-svoboda", "ci-journalists", "cl-tear-gas")
	wantHits(t, s, text(`-shutdown -chile`), "kz-svoboda", "ci-journalists")
	// A phrase does not run from the title into the summary.
	wantHits(t, s, text(`"protests authorities"`))

	res := searchFor(t, s, text(`  "Internet   SHUTDOWN" OR  ( -police `))
	if res.Query != `"internet shutdown" -police` || res.Sort != civicmon.SortRelevance {
		t.Errorf("normalised query %q, sort %q", res.Query, res.Sort)
	}
}

func testSearchFilters(t *testing.T, s civicmon.Store) {
	q := func(mod func(q *civicmon.SearchQuery)) civicmon.SearchQuery {
		var sq civicmon.SearchQuery
		mod(&sq)
		return sq
	}
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Countries = []string{"KZ"} }), "kz-svoboda", "kz-shutdown")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Countries = []string{"kz", "CI"} }), "kz-svoboda", "kz-shutdown", "ci-journalists")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Regions = []civicmon.Region{civicmon.RegionAmericas} }), "cl-law", "cl-tear-gas")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Regions = []civicmon.Region{"Africa", "asia-pacific"} }), "ci-journalists")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Freedoms = []civicmon.Freedom{civicmon.Expression} }), "kz-shutdown", "ci-journalists")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Freedoms = []civicmon.Freedom{"association"} }), "cl-law")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Violations = []string{"detention-of-journalists"} }), "kz-shutdown", "ci-journalists")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Violations = []string{"excessive-force", "restrictive-law"} }), "cl-law", "kz-svoboda", "cl-tear-gas")
	// target groups come from the incidents
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Targets = []string{"journalists"} }), "kz-shutdown", "ci-journalists")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Targets = []string{"hrds", "protesters"} }), "kz-svoboda", "cl-tear-gas")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Targets = []string{"bloggers"} }))
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Years = []int{2022} }), "kz-shutdown")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Years = []int{2021, 2020} }), "ci-journalists", "cl-tear-gas")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) {
		q.Since, q.Until = civicmon.MustDate("2022-01-06"), civicmon.MustDate("2023-03-01")
	}), "kz-svoboda", "kz-shutdown")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Since = civicmon.MustDate("2023-03-02") }), "cl-law")
	// the country's rating today: Kazakhstan Repressed since 2022, Chile
	// Narrowed (its 2099 rating is not in force), Côte d'Ivoire unrated
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Categories = []civicmon.Category{civicmon.Repressed} }), "kz-svoboda", "kz-shutdown")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Categories = []civicmon.Category{"Narrowed"} }), "cl-law", "cl-tear-gas")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) {
		q.Categories = []civicmon.Category{civicmon.Closed, civicmon.Obstructed}
	}))
	// text and filters
	wantHits(t, s, q(func(q *civicmon.SearchQuery) { q.Text, q.Countries = "protests", []string{"KZ"} }), "kz-shutdown")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) {
		q.Text, q.Freedoms, q.Years = "journalists", []civicmon.Freedom{civicmon.Expression}, []int{2021}
	}), "ci-journalists")
	wantHits(t, s, q(func(q *civicmon.SearchQuery) {
		q.Text, q.Regions, q.Targets = "-shutdown", []civicmon.Region{civicmon.RegionEuropeCentralAsia}, []string{"hrds"}
	}), "kz-svoboda")
}

// facets formats facet counts for comparison: "KZ:2* CL:2" (* selected).
func facets(fs []civicmon.FacetCount) string {
	var parts []string
	for _, f := range fs {
		p := fmt.Sprintf("%s:%d", f.Value, f.Count)
		if f.Selected {
			p += "*"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func wantFacets(t *testing.T, res *civicmon.SearchResult, want map[string]string) {
	t.Helper()
	got := map[string]string{
		"countries": facets(res.Facets.Countries), "regions": facets(res.Facets.Regions),
		"freedoms": facets(res.Facets.Freedoms), "violations": facets(res.Facets.Violations),
		"targets": facets(res.Facets.Targets), "categories": facets(res.Facets.Categories),
		"years": facets(res.Facets.Years),
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("facet %s = %q, want %q", k, got[k], w)
		}
	}
}

func testSearchFacets(t *testing.T, s civicmon.Store) {
	// No filter: counts over every published update.
	res := searchFor(t, s, civicmon.SearchQuery{})
	wantFacets(t, res, map[string]string{
		"countries":  "CL:2 KZ:2 CI:1",
		"regions":    "africa:1 americas:2 europe-central-asia:2",
		"freedoms":   "association:1 peaceful-assembly:4 expression:2",
		"violations": "excessive-force:1 detention-of-journalists:2 restrictive-law:2 internet-shutdown:1",
		"targets":    "protesters:1 journalists:2 hrds:1 citizens:1",
		"categories": "narrowed:2 repressed:2",
		"years":      "2024:1 2023:1 2022:1 2021:1 2020:1",
	})
	// A filter's own counts ignore it; the others apply it.
	res = searchFor(t, s, civicmon.SearchQuery{Countries: []string{"KZ"}})
	wantFacets(t, res, map[string]string{
		"countries":  "CL:2 KZ:2* CI:1",
		"regions":    "europe-central-asia:2",
		"freedoms":   "peaceful-assembly:2 expression:1",
		"violations": "detention-of-journalists:1 restrictive-law:1 internet-shutdown:1",
		"targets":    "journalists:1 hrds:1 citizens:1",
		"categories": "repressed:2",
		"years":      "2023:1 2022:1",
	})
	// Text and two filters.
	res = searchFor(t, s, civicmon.SearchQuery{Text: "journalists", Freedoms: []civicmon.Freedom{civicmon.Expression}, Years: []int{2021}})
	wantFacets(t, res, map[string]string{
		"countries":  "CI:1",
		"regions":    "africa:1",
		"freedoms":   "expression:1*",
		"violations": "detention-of-journalists:1",
		"targets":    "journalists:1",
		"categories": "",
		"years":      "2022:1 2021:1*",
	})
	// A selected value with no update is still listed.
	res = searchFor(t, s, civicmon.SearchQuery{Text: "journalists", Regions: []civicmon.Region{civicmon.RegionAmericas},
		Categories: []civicmon.Category{civicmon.Open}})
	wantFacets(t, res, map[string]string{
		"regions":    "americas:0*",
		"categories": "open:0*",
		"countries":  "",
	})
	if res.Total != 0 || len(res.Hits) != 0 {
		t.Errorf("total %d, %d hits; want none", res.Total, len(res.Hits))
	}
	// NoFacets: none counted, same hits.
	res = searchFor(t, s, civicmon.SearchQuery{Text: "journalists", NoFacets: true})
	if !reflect.DeepEqual(res.Facets, civicmon.SearchFacets{}) || res.Total != 2 {
		t.Errorf("NoFacets: facets %+v, total %d", res.Facets, res.Total)
	}
}

func joinSegments(ss []civicmon.TextSegment) (all, marked string) {
	var a, m []string
	for _, s := range ss {
		a = append(a, s.Text)
		if s.Match {
			m = append(m, s.Text)
		}
	}
	return strings.Join(a, ""), strings.Join(m, "|")
}

func testSearchSnippets(t *testing.T, s civicmon.Store) {
	res := searchFor(t, s, text(`"internet shutdown" almaty`))
	h := res.Hits[0]
	if all, marked := joinSegments(h.TitleMarked); all != h.Title || marked != "Internet shutdown|Almaty" {
		t.Errorf("title %q marked %q", all, marked)
	}
	if all, marked := joinSegments(h.Snippet); marked != "Almaty" || all != "Authorities cut mobile internet as thousands gathered in Almaty." {
		t.Errorf("snippet %q marked %q", all, marked)
	}
	if h.UID == "" || h.CountryCode != "KZ" || h.PublishedOn.String() != "2022-01-06" || h.Language != "en" ||
		!slices.Equal(h.Violations, []string{"internet-shutdown", "detention-of-journalists"}) ||
		!slices.Equal(h.Freedoms, []civicmon.Freedom{civicmon.Assembly, civicmon.Expression}) {
		t.Errorf("hit fields: %+v", h)
	}
	// The match is in the body: the snippet comes from there, without
	// Markdown.
	res = searchFor(t, s, text("restored"))
	if all, marked := joinSegments(res.Hits[0].Snippet); marked != "restored" || strings.ContainsAny(all, "#[]()") {
		t.Errorf("body snippet %q marked %q", all, marked)
	}
	// In a translation.
	res = searchFor(t, s, text("aprobo"))
	if _, marked := joinSegments(res.Hits[0].Snippet); marked != "aprobó" {
		t.Errorf("translation snippet marked %q", marked)
	}
	// Diacritics and Cyrillic are marked in their own spelling.
	res = searchFor(t, s, text("cote"))
	if _, marked := joinSegments(res.Hits[0].TitleMarked); marked != "Côte" {
		t.Errorf("title marked %q", marked)
	}
	res = searchFor(t, s, text("ҚАЗАҚСТАН ёлка"))
	h = res.Hits[0]
	_, tm := joinSegments(h.TitleMarked)
	_, sm := joinSegments(h.Snippet)
	if tm != "Қазақстан" || sm != "Ёлка" {
		t.Errorf("title marked %q, snippet marked %q", tm, sm)
	}
	// No query: the summary's start, nothing marked.
	res = searchFor(t, s, civicmon.SearchQuery{Countries: []string{"CL"}, Limit: 1})
	if all, marked := joinSegments(res.Hits[0].Snippet); all != "Parliament adopted a law restricting protests." || marked != "" {
		t.Errorf("lead %q marked %q", all, marked)
	}
}

func testSearchBadInput(t *testing.T, s civicmon.Store) {
	// Never an internal error: results, or none.
	for _, q := range []string{
		`"unbalanced`, `"`, `""`, `" "`, `-`, `--`, `- -`, `OR`, `OR OR`, `|`, `AND`, `NOT`, `NEAR`, `NEAR(a b)`,
		`*`, `^`, `:`, `()`, `(`, `)`, `{title}: x`, `title:x`, `x*`, `^x`, `a AND NOT b`, `'`, `''`, `\`, `\"`,
		`'; DROP TABLE updates; --`, `<script>alert(1)</script>`, `&`, `!`, `<->`, `a <-> b`, `a & !b`, `'a':*`,
		"\x00", "\xff\xfe", "e\u0301", `"a" "b`, `-"`, `-""`, "\u200b", "😀", strings.Repeat("x", 5000),
		strings.Repeat(`"a b" OR -c `, 2000), strings.Repeat("journalists ", 1000),
	} {
		res, err := s.SearchUpdates(ctx, civicmon.SearchQuery{Text: q})
		if err != nil {
			t.Errorf("SearchUpdates(%.40q): %v (code %s)", q, err, civicmon.ErrorCode(err))
			continue
		}
		if res.Total < len(res.Hits) {
			t.Errorf("SearchUpdates(%.40q): total %d", q, res.Total)
		}
	}
	// Only punctuation and operators: everything, as with no query.
	wantHits(t, s, text(`" " - OR () * :`), "cl-law", "kz-svoboda", "kz-shutdown", "ci-journalists", "cl-tear-gas")
	// 10 KB and more: cut, and said.
	res := searchFor(t, s, text("journalists "+strings.Repeat("x", 20_000)))
	if !res.QueryTruncated || res.Total != 0 {
		t.Errorf("long query: truncated %v, total %d", res.QueryTruncated, res.Total)
	}
	res = searchFor(t, s, text(strings.Repeat("journalists ", 40)))
	if res.QueryDropped != 40-search.MaxTerms || res.Total != 2 {
		t.Errorf("many words: dropped %d, total %d", res.QueryDropped, res.Total)
	}

	// Bad filters: a validation error that names them.
	for _, c := range []struct {
		q     civicmon.SearchQuery
		field string
		msg   string
	}{
		{civicmon.SearchQuery{Countries: []string{"ZZ"}}, "search.country", `"ZZ" is not the code of a country`},
		{civicmon.SearchQuery{Countries: []string{"Kazakhstan"}}, "search.country", `"Kazakhstan" is not an ISO 3166-1 alpha-2 code`},
		{civicmon.SearchQuery{Regions: []civicmon.Region{"europe"}}, "search.region", `"europe" is not a region`},
		{civicmon.SearchQuery{Freedoms: []civicmon.Freedom{"speech"}}, "search.freedom", `"speech" is not a freedom`},
		{civicmon.SearchQuery{Violations: []string{"nope"}}, "search.violation", `"nope" is not a violation type; allowed: detention-of-protesters`},
		{civicmon.SearchQuery{Violations: []string{"Not A Slug"}}, "search.violation", `is not a violation type's slug`},
		{civicmon.SearchQuery{Targets: []string{"aliens"}}, "search.target", `"aliens" is not a target group`},
		{civicmon.SearchQuery{Categories: []civicmon.Category{"bad"}}, "search.category", `"bad" is not a rating category`},
		{civicmon.SearchQuery{Years: []int{1066}}, "search.year", "1066 is not a year"},
		{civicmon.SearchQuery{Since: civicmon.MustDate("2024-01-01"), Until: civicmon.MustDate("2023-01-01")}, "search.until", "is before since"},
		{civicmon.SearchQuery{Sort: "best"}, "search.sort", `"best" is not a sort order`},
		{civicmon.SearchQuery{Limit: -1}, "search.limit", "-1 is negative"},
	} {
		_, err := s.SearchUpdates(ctx, c.q)
		wantFieldError(t, err, c.field, c.msg)
	}
	// Bad cursors.
	for _, cur := range []string{"garbage", "!!!", "bjEyMw", strings.Repeat("A", 300)} {
		_, err := s.SearchUpdates(ctx, civicmon.SearchQuery{Cursor: cur})
		wantCode(t, err, civicmon.EINVALID)
	}
	first := searchFor(t, s, civicmon.SearchQuery{Limit: 1})
	_, err := s.SearchUpdates(ctx, civicmon.SearchQuery{Limit: 1, Cursor: first.NextCursor, Sort: civicmon.SortOldest})
	wantCode(t, err, civicmon.EINVALID) // a newest-first cursor, oldest first
	// Too large a page is cut to the largest.
	res = searchFor(t, s, civicmon.SearchQuery{Limit: 100000})
	if len(res.Hits) != 5 {
		t.Errorf("limit 100000: %d hits", len(res.Hits))
	}
}

// testSearchPages pages through a bulk-inserted set with ties on dates.
func testSearchPages(t *testing.T, s civicmon.Store) {
	var us []civicmon.Update
	for i := range 27 {
		u := civicmon.Update{
			Slug: fmt.Sprintf("bulk-%02d", i), CountryCode: []string{"KZ", "CL", "CI"}[i%3],
			Title:       fmt.Sprintf("Bulk update %d", i),
			Summary:     "Pagination test, zebraword in the summary.",
			Body:        "Body text.",
			Status:      civicmon.StatusPublished,
			PublishedOn: civicmon.MustDate("2025-01-01").AddDays(i / 4), // four a day: ties
			Freedoms:    civicmon.NewFreedomSet(civicmon.Expression),
		}
		if i%5 == 0 {
			u.Title += " zebraword" // ranks first for relevance
		}
		if i%9 == 4 {
			u.Status, u.PublishedOn = civicmon.StatusDraft, civicmon.Date{} // never found
		}
		us = append(us, u)
	}
	if err := s.InsertUpdates(ctx, us); err != nil {
		t.Fatal(err)
	}
	for _, sort := range []civicmon.SearchSort{civicmon.SortRelevance, civicmon.SortNewest, civicmon.SortOldest} {
		q := civicmon.SearchQuery{Text: "zebraword", Sort: sort, Limit: 100}
		all := searchFor(t, s, q)
		if all.Total != 24 || len(all.Hits) != 24 || all.NextCursor != "" {
			t.Fatalf("%s: total %d, %d hits, cursor %q", sort, all.Total, len(all.Hits), all.NextCursor)
		}
		want := hitSlugs(all)
		var got []string
		q.Limit = 5
		for page := 0; ; page++ {
			res := searchFor(t, s, q)
			if res.Total != 24 {
				t.Fatalf("%s page %d: total %d", sort, page, res.Total)
			}
			got = append(got, hitSlugs(res)...)
			if res.NextCursor == "" {
				break
			}
			if page > 10 {
				t.Fatalf("%s: more pages than there are", sort)
			}
			q.Cursor = res.NextCursor
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: pages give\n%q\nall at once\n%q", sort, got, want)
		}
		if sort == civicmon.SortRelevance {
			for i, slug := range want[:5] {
				if n := slug[len(slug)-2:]; (n[0]-'0')*10+(n[1]-'0') != byte(25-5*i) {
					t.Errorf("relevance: %q at %d, want the title matches first, newest first", slug, i)
				}
			}
		}
	}
	res := searchFor(t, s, civicmon.SearchQuery{Text: "zebraword", Countries: []string{"CI"}, Sort: civicmon.SortOldest, Limit: 3})
	if got := hitSlugs(res); !slices.Equal(got, []string{"bulk-02", "bulk-05", "bulk-08"}) || res.Total != 9 {
		t.Errorf("CI oldest: %q, total %d", got, res.Total)
	}
}

func testSearchWrites(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	get := func(slug string) *civicmon.Update {
		u, err := s.UpdateBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	wantHits(t, s, text("canarydraft"))
	// Published: found at once.
	u := get("kz-draft")
	u.Status, u.PublishedOn = civicmon.StatusPublished, civicmon.MustDate("2025-05-01")
	if err := s.SaveUpdate(ctx, u); err != nil {
		t.Fatal(err)
	}
	wantHits(t, s, text("canarydraft"), "kz-draft")
	wantHits(t, s, civicmon.SearchQuery{Countries: []string{"KZ"}, Years: []int{2025}, Since: civicmon.MustDate("2025-05-01")}, "kz-draft")
	// Edited: the old words are gone (a name taken out for safety must not
	// find the update any more), the new ones found.
	u = get("kz-shutdown")
	u.Summary = strings.ReplaceAll(u.Summary, "Almaty", "the city")
	u.Title = "Internet shutdown during protests"
	u.CountryCode = "CL"
	if err := s.SaveUpdate(ctx, u); err != nil {
		t.Fatal(err)
	}
	wantHits(t, s, text("almaty"))
	wantHits(t, s, text("city shutdown"), "kz-shutdown")
	wantHits(t, s, civicmon.SearchQuery{Text: "shutdown", Countries: []string{"CL"}}, "kz-shutdown")
	// Unpublished: gone at once.
	u = get("ci-journalists")
	u.Status = civicmon.StatusDraft
	if err := s.SaveUpdate(ctx, u); err != nil {
		t.Fatal(err)
	}
	wantHits(t, s, text("cote"))
	wantHits(t, s, civicmon.SearchQuery{Countries: []string{"CI"}, Years: []int{2021}})
	// Deleted: gone.
	if err := s.DeleteUpdate(ctx, get("cl-tear-gas").ID); err != nil {
		t.Fatal(err)
	}
	wantHits(t, s, text(`"tear gas"`))
	wantHits(t, s, civicmon.SearchQuery{Targets: []string{"protesters"}})
	// A rolled-back transaction leaves no trace.
	err := s.InTx(ctx, func(tx civicmon.Store) error {
		n := civicmon.Update{Slug: "rolled-back", CountryCode: "KZ", Title: "Rollbackword", Status: civicmon.StatusPublished,
			PublishedOn: civicmon.MustDate("2025-01-01")}
		if err := tx.CreateUpdate(ctx, &n); err != nil {
			return err
		}
		return fmt.Errorf("roll back")
	})
	if err == nil {
		t.Fatal("InTx did not fail")
	}
	wantHits(t, s, text("rollbackword"))
	// A committed one is found, as is a change to a country's rating.
	err = s.InTx(ctx, func(tx civicmon.Store) error {
		n := civicmon.Update{Slug: "committed", CountryCode: "KZ", Title: "Commitword", Status: civicmon.StatusPublished,
			PublishedOn: civicmon.MustDate("2025-01-02")}
		return tx.CreateUpdate(ctx, &n)
	})
	if err != nil {
		t.Fatal(err)
	}
	wantHits(t, s, civicmon.SearchQuery{Text: "commitword", Categories: []civicmon.Category{civicmon.Repressed}}, "committed")
	if err := s.AddRating(ctx, &civicmon.Rating{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2025-05-01"), Score: 10}); err != nil {
		t.Fatal(err)
	}
	wantHits(t, s, civicmon.SearchQuery{Text: "commitword", Categories: []civicmon.Category{civicmon.Repressed}})
	wantHits(t, s, civicmon.SearchQuery{Text: "commitword", Categories: []civicmon.Category{civicmon.Closed}}, "committed")
}

// testSearchOtherProcess writes through a second DB over the same database,
// as another civicmon process would.
func testSearchOtherProcess(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	other := sqldb.New(db.WriteDB(), db.WriteDB(), db.Dialect())
	wantHits(t, s, text("elsewhereword")) // s's index is loaded and fresh
	u := civicmon.Update{Slug: "elsewhere", CountryCode: "KZ", Title: "Elsewhereword", Status: civicmon.StatusPublished,
		PublishedOn: civicmon.MustDate("2025-01-03")}
	if _, err := db.DataVersion(ctx); err != nil { // the version before the write
		t.Fatal(err)
	}
	if err := other.Store().CreateUpdate(ctx, &u); err != nil {
		t.Fatal(err)
	}
	written := time.Now()
	wantHits(t, other.Store(), text("elsewhereword"), "elsewhere")
	// s notices at once when it has read the data version (as a page
	// cache polling it does before rendering again)...
	if _, err := db.DataVersion(ctx); err != nil {
		t.Fatal(err)
	}
	if res := searchFor(t, s, civicmon.SearchQuery{Text: "elsewhereword"}); res.Total != 1 && time.Since(written) < time.Second {
		t.Errorf("after DataVersion moved, a write by another process is not found at once: %d hits", res.Total)
	}
	// ...and within a second anyway.
	deadline := time.Now().Add(3 * time.Second)
	for {
		res := searchFor(t, s, civicmon.SearchQuery{Text: "elsewhereword", Countries: []string{"KZ"}})
		if res.Total == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a write by another process is not found after 3 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func testSearchReindex(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	before := searchFor(t, s, civicmon.SearchQuery{Text: "-nothingword", Limit: 100})
	var calls [][2]int
	if err := s.Reindex(ctx, func(done, total int) { calls = append(calls, [2]int{done, total}) }); err != nil {
		t.Fatal(err)
	}
	if len(calls) < 2 || calls[0] != [2]int{0, before.Total} || calls[len(calls)-1] != [2]int{before.Total, before.Total} {
		t.Errorf("progress calls %v, want 0 to %d", calls, before.Total)
	}
	after := searchFor(t, s, civicmon.SearchQuery{Text: "-nothingword", Limit: 100})
	if !reflect.DeepEqual(hitSlugs(before), hitSlugs(after)) {
		t.Errorf("after Reindex %q, before %q", hitSlugs(after), hitSlugs(before))
	}
	wantHits(t, s, text("canarydraft"), "kz-draft")

	// An index built by another normaliser: text searches ask for a
	// rebuild, browsing works, writes go on.
	if _, err := db.WriteDB().ExecContext(ctx, `UPDATE search_state SET normalizer = 0`); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, "test", "search", "", "a write, so the index looks again"); err != nil {
		t.Fatal(err)
	}
	_, err := s.SearchUpdates(ctx, text("canarydraft"))
	wantCode(t, err, civicmon.ENOTREADY)
	if res := searchFor(t, s, civicmon.SearchQuery{Countries: []string{"KZ"}}); res.Total == 0 {
		t.Error("browsing fails with a stale index")
	}
	u := civicmon.Update{Slug: "while-stale", CountryCode: "KZ", Title: "Stalewords", Status: civicmon.StatusPublished,
		PublishedOn: civicmon.MustDate("2025-01-04")}
	if err := s.CreateUpdate(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if err := s.Reindex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	wantHits(t, s, text("stalewords"), "while-stale")
	wantHits(t, s, text("canarydraft"), "kz-draft")
}

// testSearchManyTerms: vocabularies may grow past 64 terms (a word of bits
// per update in the facet index).
func testSearchManyTerms(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	wantHits(t, s, civicmon.SearchQuery{Violations: []string{"detention-of-journalists"}, Countries: []string{"KZ"}})
	for i := range 70 {
		if err := s.AddViolationType(ctx, civicmon.Term{Slug: fmt.Sprintf("extra-%02d", i), Name: fmt.Sprintf("Extra %d", i)}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddTargetGroup(ctx, civicmon.Term{Slug: fmt.Sprintf("group-%02d", i), Name: fmt.Sprintf("Group %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	u := civicmon.Update{Slug: "many-terms", CountryCode: "CL", Title: "Manytermsword", Status: civicmon.StatusPublished,
		PublishedOn: civicmon.MustDate("2025-01-05"), Violations: []string{"extra-69", "internet-shutdown"},
		Incidents: []civicmon.Incident{{Freedom: civicmon.Expression, Violation: "extra-69", Target: "group-68"}}}
	if err := s.CreateUpdate(ctx, &u); err != nil {
		t.Fatal(err)
	}
	wantHits(t, s, civicmon.SearchQuery{Violations: []string{"extra-69"}}, "many-terms")
	wantHits(t, s, civicmon.SearchQuery{Violations: []string{"extra-68", "extra-69"}, Targets: []string{"group-68"}}, "many-terms")
	res := wantHits(t, s, civicmon.SearchQuery{Text: "manytermsword", Violations: []string{"internet-shutdown"}}, "many-terms")
	wantFacets(t, res, map[string]string{"violations": "internet-shutdown:1* extra-69:1", "targets": "group-68:1"})
	// The updates from before still have their tags.
	wantHits(t, s, civicmon.SearchQuery{Violations: []string{"restrictive-law"}, Countries: []string{"KZ"}}, "kz-svoboda")
	wantHits(t, s, civicmon.SearchQuery{Targets: []string{"hrds"}}, "kz-svoboda")
}
