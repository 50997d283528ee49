package site_test

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/site"
	"github.com/civicmon/civicmon/webtest"
)

// TestUpdatePage: an update's page shows its facts, its translations, its
// body, its corrections, its incidents, its sources and how to cite it,
// and links to the updates before and after it.
func TestUpdatePage(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	u := &civicmon.Update{CountryCode: "KZ", Title: "Assembly law amended", Slug: "assembly-law-amended", Summary: "The law was amended.",
		Body: "Parliament **amended** the law.", Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2026-11-20"),
		PeriodStart: civicmon.MustDate("2026-09-01"), PeriodEnd: civicmon.MustDate("2026-10-31"), Partner: "A partner",
		Language: "en", Freedoms: civicmon.NewFreedomSet(civicmon.Assembly), Violations: []string{"restrictive-law"},
		Sources: []civicmon.Source{{URL: "https://example.org/law", Title: "The law", Publisher: "Gazette", PublishedOn: civicmon.MustDate("2026-10-01")},
			{Title: "An interview"}},
		Incidents: []civicmon.Incident{{Freedom: civicmon.Assembly, Violation: "detention-of-protesters", Target: "protesters",
			PeopleAffected: 12, Place: "Almaty", Description: "Twelve detained", OccurredOn: civicmon.MustDate("2026-09-15")}},
		Translations: []civicmon.Translation{{Language: "ru", Title: "Закон о собраниях изменён", Summary: "Закон изменён.", Body: "Парламент изменил закон."}}}
	if err := env.Store.CreateUpdate(ctx, u); err != nil {
		t.Fatal(err)
	}
	u.CorrectionNote = "The period was corrected."
	if err := env.Store.SaveUpdate(ctx, u); err != nil {
		t.Fatal(err)
	}
	env.Run(t,
		webtest.Scenario{URL: "/updates/assembly-law-amended", Contains: []string{
			`<article class="update" lang="en" dir="auto">`,
			`<p class="crumbs" lang="en"><a href="/countries/kazakhstan">Kazakhstan</a> <span class="badge r-repressed">Repressed</span></p>`,
			"<h1>Assembly law amended</h1>",
			`<dt>Published</dt><dd><time datetime="2026-11-20">20 November 2026</time></dd>`,
			`<dt>Reporting period</dt><dd>September 2026 – October 2026</dd>`,
			`<dt>Research partner</dt><dd>A partner</dd>`,
			`<dt>Freedoms</dt><dd><ul class="tags"><li><a href="/freedoms/peaceful-assembly">Peaceful Assembly</a></li></ul></dd>`,
			`<a href="/tags/restrictive-law">`,
			`<dd class="print-only">` + env.URL + `/updates/assembly-law-amended</dd>`,
			`<p class="also-in" lang="en">Also in: <a href="/updates/assembly-law-amended/ru?lang=en" lang="ru" hreflang="ru">Русский</a></p>`,
			`<p class="summary">The law was amended.</p>`,
			`<div class="body"><p>Parliament <strong>amended</strong> the law.</p>`,
			`<section class="corrections" aria-labelledby="corrections-heading" lang="en"><h2 id="corrections-heading">Corrections</h2>`,
			`: The period was corrected.</li>`,
			`<th scope="col">People affected</th>`,
			`<td><time datetime="2026-09-15">15 September 2026</time></td><td>Peaceful Assembly</td><td><a href="/tags/detention-of-protesters">Detention of protesters</a></td><td>Protesters</td><td>12</td><td>Almaty</td><td>Twelve detained</td>`,
			`<li><a href="https://example.org/law" rel="noreferrer">The law</a>, Gazette, <time datetime="2026-10-01">1 October 2026</time></li>`,
			`<li>An interview</li>`,
			`<a href="/updates/assembly-law-amended/cite/ris" type="application/x-research-info-systems">RIS</a>`,
			`<nav class="prevnext" aria-label="More on Kazakhstan">`,
			`<p>Older: <a href="/updates/`,
			`<p><a href="/countries/kazakhstan">All updates on Kazakhstan</a></p>`,
		}},
		webtest.Scenario{URL: "/updates/assembly-law-amended/ru?lang=fr", Contains: []string{
			`<article class="update" lang="ru" dir="auto">`,
			"<h1>Закон о собраниях изменён</h1>",
			`<p class="also-in" lang="fr">Aussi en : <a href="/updates/assembly-law-amended?lang=fr" lang="en" hreflang="en">English</a> (original)</p>`,
			`<p class="crumbs" lang="fr">`,
			"Парламент изменил закон.",
		}, NotContains: []string{"Parliament"}},
		webtest.Scenario{URL: "/updates/assembly-law-amended/de", Status: http.StatusNotFound},
		// The reader's language picks the translation; the original stays
		// a link away, and a path's language is the interface's.
		webtest.Scenario{URL: "/updates/assembly-law-amended?lang=ru", Contains: []string{
			`<article class="update" lang="ru" dir="auto">`, "<h1>Закон о собраниях изменён</h1>",
			`<p class="also-in" lang="ru">Также на языке: <a href="/updates/assembly-law-amended/en?lang=ru" lang="en" hreflang="en">English</a> (оригинал)</p>`,
			`<a href="/countries/kazakhstan?lang=ru">Казахстан</a>`, "20 ноября 2026",
		}, NotContains: []string{"Parliament"}},
		webtest.Scenario{URL: "/updates/assembly-law-amended/ru", Contains: []string{
			`<html lang="ru"`, `<a href="/countries?lang=ru">Страны</a>`, "<h1>Закон о собраниях изменён</h1>",
		}},
		webtest.Scenario{URL: "/updates/assembly-law-amended/en?lang=ru", Contains: []string{
			`<html lang="ru"`, `<article class="update" lang="en" dir="auto">`, "<h1>Assembly law amended</h1>",
			`Также на языке: <a href="/updates/assembly-law-amended/ru?lang=ru"`,
		}},
		// No Spanish translation: the original, marked as English, under
		// Spanish menus; the one language switcher keeps the update.
		webtest.Scenario{URL: "/updates/assembly-law-amended?lang=es", Contains: []string{
			`<html lang="es"`, `<article class="update" lang="en" dir="auto">`, "<h1>Assembly law amended</h1>", "Kazajistán",
			`href="/updates/assembly-law-amended?lang=fr"`,
		}, NotContains: []string{`class="translations"`}},
		webtest.Scenario{URL: "/updates/" + env.Drafts["researcher"].Slug, Status: http.StatusNotFound, NotContains: []string{"Draft by"}},
	)
}

// TestHostileValuesServed: what the store takes in a published update's
// free text, its translation and its sources, is shown as text on every
// page that shows it: no element, attribute or script link gets in.
func TestHostileValuesServed(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	text := site.HostileText
	u := &civicmon.Update{CountryCode: "KZ", Title: "Hostile " + text, Slug: "hostile", Summary: text,
		Body:   text + "\n\n[a link](javascript:alert(1)) <javascript:alert(1)>\n\n<script>alert(1)</script>",
		Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2026-11-25"), Partner: text, Language: "en",
		Freedoms: civicmon.NewFreedomSet(civicmon.Expression), Violations: []string{"censorship"},
		Sources: []civicmon.Source{{URL: `https://example.org/?q="><b data-pwn=1>`, Title: text, Publisher: text}},
		Incidents: []civicmon.Incident{{Freedom: civicmon.Expression, Violation: "censorship", Place: text, Description: text,
			OccurredOn: civicmon.MustDate("2026-11-01")}},
		Translations: []civicmon.Translation{{Language: "ru", Title: text, Summary: text, Body: text}}}
	if err := env.Store.CreateUpdate(ctx, u); err != nil {
		t.Fatal(err)
	}
	u.CorrectionNote = text
	if err := env.Store.SaveUpdate(ctx, u); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/updates/hostile", "/updates/hostile/ru", "/updates/hostile?lang=ru", "/", "/countries/kazakhstan",
		"/tags/censorship", "/freedoms/expression", "/regions/europe-central-asia", "/updates?q=hostile"} {
		r := get(t, env.URL+path)
		if r.status != 200 {
			t.Errorf("%s: %d", path, r.status)
			continue
		}
		var allowed []string
		switch path {
		case "/", "/regions/europe-central-asia":
			allowed = []string{"svg"} // the world map, the region's
		case "/countries/kazakhstan":
			allowed = []string{"svg"} // the rating over time, which holds no text of an update
		case "/updates?q=hostile":
			allowed = []string{"form", "input"} // the search form
		}
		site.CheckSafe(t, r.body, allowed...)
		if !strings.Contains(html.UnescapeString(r.body), "Hostile <script>alert(1)</script>") && path != "/updates/hostile/ru" && path != "/updates/hostile?lang=ru" && path != "/updates?q=hostile" { // the Russian reader gets the translation, titled without "Hostile"; // the search marks the words it found
			t.Errorf("%s does not show the title as text", path)
		}
	}
}
