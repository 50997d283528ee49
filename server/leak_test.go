package server_test

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"net/http"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/webtest"
)

// canary is the mark of every secret in the leak test.
const canary = "zqcanary"

// TestNothingPrivateLeaks plants a unique canary in every unpublished
// update, in every private field of a published one, in a rating change
// nobody approved and in a watchlist edition scheduled for tomorrow, then
// reads every
// public page reachable from / and the sitemaps, and every public GET
// route of the router with its parameters filled from the data, and finds
// no canary. New public routes are walked without changing this test; a
// route with a parameter the test cannot fill fails it.
func TestNothingPrivateLeaks(t *testing.T) {
	env := webtest.New(t)
	ctx := context.Background()
	s := env.Store
	author := &civicmon.User{Email: canary + "-author@example.org", Name: canary + " Author Name", Role: civicmon.RoleResearcher, PasswordHash: "x"}
	if err := s.CreateUser(ctx, author); err != nil {
		t.Fatal(err)
	}
	plant := func(u civicmon.Update) *civicmon.Update {
		t.Helper()
		if err := s.CreateUpdate(ctx, &u); err != nil {
			t.Fatal(err)
		}
		return &u
	}
	for _, st := range []civicmon.Status{civicmon.StatusDraft, civicmon.StatusInReview, civicmon.StatusArchived} {
		plant(civicmon.Update{CountryCode: "KZ", Title: canary + " title of a " + string(st) + " update", Slug: "hidden-" + strings.ReplaceAll(string(st), "_", "-"),
			Summary: canary + " summary", Body: canary + " body", Status: st, PublishedOn: civicmon.MustDate("2026-01-02"),
			Freedoms: civicmon.NewFreedomSet(civicmon.Expression), Violations: []string{"censorship"},
			Incidents: []civicmon.Incident{{Freedom: civicmon.Expression, Violation: "censorship", Description: canary + " incident"}}})
	}
	pub := plant(civicmon.Update{CountryCode: "KZ", Title: "A published update with private fields", Summary: "Public summary.",
		Body: "Public body.", Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2026-01-03"), AuthorID: author.ID,
		Freedoms: civicmon.NewFreedomSet(civicmon.Assembly), Violations: []string{"detention-of-protesters"},
		InternalNotes: canary + " internal note",
		Sources:       []civicmon.Source{{URL: "https://example.org/report", Title: "Report", Contact: canary + " source contact"}},
		Translations:  []civicmon.Translation{{Language: "ru", Title: "Опубликованный обзор", Summary: "Резюме", Body: "Текст"}},
		Incidents: []civicmon.Incident{{Freedom: civicmon.Assembly, Violation: "detention-of-protesters", Target: "protesters",
			PeopleAffected: 3, Place: "Almaty", Description: "Three protesters detained", VictimName: canary + " victim name"}}})

	// The conversation of the published update, a comment that came with
	// a step, and an account's notification settings (archive: issue 13).
	for _, c := range []civicmon.Comment{
		{UpdateID: pub.ID, AuthorID: env.Users[civicmon.RoleEditor].ID, Body: canary + " comment on a published update"},
		{UpdateID: pub.ID, AuthorID: author.ID, Action: civicmon.ActionSubmit, Body: canary + " comment with a step"},
	} {
		if err := s.AddComment(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveNotificationSettings(ctx, &civicmon.NotificationSettings{UserID: author.ID, Muted: []string{civicmon.NotifyComment},
		Address: canary + "-notify@example.org"}); err != nil {
		t.Fatal(err)
	}

	// A rating change nobody has approved yet.
	if err := s.ProposeRating(ctx, &civicmon.RatingProposal{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2026-11-20"),
		Category: civicmon.Closed, Rationale: canary + " unapproved rationale", ProposedBy: env.Users[civicmon.RoleEditor].ID}); err != nil {
		t.Fatal(err)
	}
	// A watchlist edition scheduled for tomorrow: not public before its day.
	env.SetNow(time.Date(2026, 12, 9, 12, 0, 0, 0, time.UTC))
	if err := s.CreateWatchlistEdition(ctx, &civicmon.WatchlistEdition{PublishedOn: civicmon.MustDate("2026-12-10"),
		Title: canary + " scheduled edition", Introduction: canary + " scheduled introduction",
		Entries: []civicmon.WatchlistEntry{{CountryCode: "CL", Narrative: canary + " scheduled narrative"}}}); err != nil {
		t.Fatal(err)
	}
	// An approved rating scheduled for tomorrow (an import's, say): not
	// public before its day either.
	if err := s.AddRating(ctx, &civicmon.Rating{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2026-12-10"), Score: 90,
		Category: civicmon.Open, Rationale: canary + " scheduled rating rationale", Source: canary + " scheduled rating source"}); err != nil {
		t.Fatal(err)
	}
	// Mail waiting in the outbox (the server has no SMTP server: it waits).
	if err := s.EnqueueMail(ctx, &civicmon.OutboxMail{Kind: "notification", To: canary + "-recipient@example.org",
		Subject: canary + " mail subject", Body: canary + " mail body"}); err != nil {
		t.Fatal(err)
	}
	// A save of the published update from an older version, carrying new
	// private and public text: refused with the conflict page (private:
	// it shows the stored notes), and none of it public.
	editor := env.SignedIn(t, civicmon.RoleEditor)
	stale := editor.Post(fmt.Sprintf("/admin/updates/%d", pub.ID), url.Values{"action": {"save"}, "version": {fmt.Sprint(pub.Version - 1)},
		"country": {"KZ"}, "title": {pub.Title}, "summary": {canary + " summary from an older tab"}, "body": {canary + " body from an older tab"},
		"published_on": {pub.PublishedOn.String()}, "internal_notes": {canary + " note from an older tab"}})
	if stale.Status != http.StatusConflict || !strings.Contains(stale.Body, canary+" internal note") {
		t.Fatalf("the stale save: %d, want the conflict page", stale.Status)
	}
	// Machine drafts of translations, which no reader sees before review:
	// of the current edition's title and narratives, a term, a rating's
	// rationale, in every language of the interface.
	eds, err := s.WatchlistEditions(ctx)
	if err != nil || len(eds) < 2 {
		t.Fatalf("editions: %d, %v", len(eds), err)
	}
	kzRatings, err := s.RatingHistory(ctx, "KZ")
	if err != nil || len(kzRatings) == 0 {
		t.Fatalf("ratings of KZ: %v", err)
	}
	// The canaries replace the demo's translations, at their versions.
	existing, err := s.FieldTranslations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]int64{}
	for _, f := range existing {
		versions[string(f.Kind)+" "+f.Record+"/"+f.Lang] = f.Version
	}
	for _, lang := range []string{"fr", "es", "ru"} {
		for _, ed := range eds[1:] { // the first is tomorrow's
			records := map[civicmon.FieldKind][]string{civicmon.FieldWatchlistTitle: {ed.PublishedOn.String()}}
			for _, e := range ed.Entries {
				records[civicmon.FieldWatchlistNarrative] = append(records[civicmon.FieldWatchlistNarrative], ed.PublishedOn.String()+"/"+e.CountryCode)
			}
			records[civicmon.FieldViolation] = []string{"censorship", "detention-of-protesters"}
			records[civicmon.FieldTarget] = []string{"protesters"}
			for _, r := range kzRatings {
				records[civicmon.FieldRatingRationale] = append(records[civicmon.FieldRatingRationale], fmt.Sprint(r.ID))
			}
			for kind, recs := range records {
				for _, rec := range recs {
					key := string(kind) + " " + rec + "/" + lang
					f := civicmon.FieldTranslation{Kind: kind, Record: rec, Lang: lang,
						Text: canary + " machine draft", Status: civicmon.TranslationMachine, Version: versions[key]}
					if err := s.SaveFieldTranslation(ctx, &f); err != nil {
						t.Fatal(err)
					}
					versions[key] = f.Version
				}
			}
		}
	}
	b := env.Client(t)
	hc := &http.Client{}
	seen := map[string]bool{}
	var queue []string
	add := func(u string) {
		if !seen[u] && len(seen) < 6000 {
			seen[u] = true
			queue = append(queue, u)
		}
	}
	// Every public GET route, its parameters filled from the data.
	fill := paramValues(t, env, pub)
	for _, r := range env.Server.Routes() {
		if !r.Public || !strings.HasPrefix(r.Pattern, "GET ") {
			continue
		}
		for _, p := range expand(t, strings.TrimPrefix(r.Pattern, "GET "), fill) {
			add(p)
		}
	}
	add("/")
	add("/sitemap.xml")
	add("/updates/" + pub.Slug + "?lang=ru")
	add("/updates/" + pub.Slug + "/ru")
	for _, lang := range []string{"fr", "es", "ru"} {
		add("/watchlist?lang=" + lang)
		add("/countries/kazakhstan?lang=" + lang)
		add("/updates/" + pub.Slug + "?lang=" + lang)
	}
	link := regexp.MustCompile(`(?:href|src)="([^"]+)"|<loc>([^<]+)</loc>`)
	// fetch checks one page and returns the site's links on it. It runs
	// on several goroutines: the walk, thousands of pages, was most of
	// this package's time under the race detector.
	fetch := func(path string) []string {
		resp, err := hc.Get(env.URL + path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body := string(raw)
		if strings.Contains(strings.ToLower(body), canary) {
			i := strings.Index(strings.ToLower(body), canary)
			t.Errorf("%s (%d) shows a secret: …%s…", path, resp.StatusCode, body[max(0, i-80):min(len(body), i+80)])
		}
		for k, v := range resp.Header {
			if strings.Contains(strings.ToLower(strings.Join(v, " ")), canary) {
				t.Errorf("%s: header %s carries a secret", path, k)
			}
		}
		var links []string
		for _, m := range link.FindAllStringSubmatch(body, -1) {
			ref := m[1] + m[2]
			ref = strings.ReplaceAll(ref, "&amp;", "&")
			u, err := url.Parse(ref)
			if err != nil || (u.Host != "" && u.Host != strings.TrimPrefix(env.URL, "http://")) {
				continue
			}
			if strings.HasPrefix(u.Path, "/admin") || !strings.HasPrefix(u.Path, "/") {
				continue
			}
			// The interface language changes no data shown: one language
			// is enough, besides the Russian pages added below.
			q := u.Query()
			q.Del("lang")
			u.RawQuery = q.Encode()
			links = append(links, u.RequestURI())
		}
		return links
	}
	// Breadth first, a level at a time: the pages of a level are fetched
	// side by side, their links added in the level's order.
	for len(queue) > 0 {
		level := queue
		queue = nil
		found := make([][]string, len(level))
		next := make(chan int)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for i := range next {
					found[i] = fetch(level[i])
				}
			})
		}
		for i := range level {
			next <- i
		}
		close(next)
		wg.Wait()
		for _, links := range found {
			for _, u := range links {
				add(u)
			}
		}
	}
	if len(seen) < 300 {
		t.Fatalf("walked only %d pages: the crawl is broken", len(seen))
	}
	t.Logf("walked %d public URLs", len(seen))
	if !seen["/updates/"+pub.Slug] {
		t.Error("the crawl never reached the published update with private fields")
	}
	for _, slug := range []string{"hidden-draft", "hidden-in-review", "hidden-archived"} {
		if resp := b.Get("/updates/" + slug); resp.Status != 404 {
			t.Errorf("/updates/%s: %d, want 404 for an unpublished update", slug, resp.Status)
		}
	}
	for _, u := range []string{"/watchlist/2026-12-10", "/api/v1/watchlist/2026-12-10"} {
		if resp := b.Get(u); resp.Status != 404 {
			t.Errorf("%s: %d, want 404 for an edition scheduled for tomorrow", u, resp.Status)
		}
	}
}

// paramValues gives, for each route parameter name, the values to try.
func paramValues(t *testing.T, env *webtest.Env, pub *civicmon.Update) map[string][]string {
	ctx := context.Background()
	cs, err := env.Store.Countries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	us, _, err := env.Store.FindUpdates(ctx, civicmon.UpdateFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	eds, _ := env.Store.WatchlistEditions(ctx)
	vals := map[string][]string{
		"lang":  {"ru", "en", "fr", "kk"},
		"name":  {"pages.xml", "updates-1.xml"},
		"token": {"not-a-token"},
		"id":    {},
	}
	var slugs []string
	for _, c := range cs {
		slugs = append(slugs, c.Slug)
	}
	for _, u := range us { // every status: a route must refuse the unpublished ones
		slugs = append(slugs, u.Slug)
		vals["id"] = append(vals["id"], u.UID, fmt.Sprint(u.ID))
	}
	for _, r := range civicmon.Regions {
		slugs = append(slugs, string(r))
	}
	for _, f := range civicmon.Freedoms {
		slugs = append(slugs, string(f))
	}
	for _, v := range civicmon.DefaultViolations {
		slugs = append(slugs, v.Slug)
	}
	vals["slug"] = slugs
	for name, vs := range moreParams() {
		vals[name] = append(vals[name], vs...)
	}
	for _, e := range eds {
		vals["date"] = append(vals["date"], e.PublishedOn.String())
	}
	return vals
}

// moreParams are values for the route parameters of the API, the feeds and
// the downloads: countries by code and slug, the slugs of the unpublished
// updates the test plants (their stable ids come from the data itself),
// regions, freedoms and tags, with a value of each that does not exist.
func moreParams() map[string][]string {
	p := map[string][]string{}
	p["country"] = []string{"KZ", "kz", "kazakhstan", "chile", "ZZ"}
	p["id"] = []string{"hidden-draft", "hidden-in-review", "hidden-archived"}
	p["file"] = []string{"civicmon.ndjson", "civicmon.json", "countries.csv", "ratings.csv", "updates.csv", "incidents.csv",
		"population.json", "rating-changes.csv", "violations.json", "targets.csv", "countries.json"}
	p["year"] = []string{"2019", "2020", "2021", "2022", "2026", "2099", "1800", "x"}
	p["chart"] = []string{"ratings", "population", "rating-changes", "timeline", "violations", "freedoms", "targets", "regions", "countries", "nope"}
	cs, err := demo.Countries()
	if err != nil {
		panic(err)
	}
	for _, c := range cs {
		p["country"] = append(p["country"], c.Slug)
	}
	p["country"] = append(p["country"], "atlantis")
	for _, r := range civicmon.Regions {
		p["region"] = append(p["region"], string(r))
	}
	p["region"] = append(p["region"], "europe")
	for _, f := range civicmon.Freedoms {
		p["freedom"] = append(p["freedom"], string(f))
	}
	p["freedom"] = append(p["freedom"], "assembly")
	for _, v := range civicmon.DefaultViolations {
		p["tag"] = append(p["tag"], v.Slug)
	}
	p["tag"] = append(p["tag"], "nope")
	return p
}

var param = regexp.MustCompile(`\{([a-z]+)(?:\.\.\.)?\$?\}`)

// expand fills a route pattern's parameters with every value known for
// them (at most a few hundred paths per route).
func expand(t *testing.T, pattern string, vals map[string][]string) []string {
	pattern = strings.TrimSuffix(pattern, "{$}")
	if strings.HasSuffix(pattern, "/") && pattern != "/" {
		pattern += "x" // a subtree route: try one path under it
	}
	paths := []string{pattern}
	for _, m := range param.FindAllStringSubmatch(pattern, -1) {
		vs, ok := vals[m[1]]
		if !ok {
			t.Errorf("route %q has a parameter {%s} the leak test cannot fill: add values for it", pattern, m[1])
			return nil
		}
		var next []string
		for _, p := range paths {
			for _, v := range vs {
				next = append(next, strings.Replace(p, m[0], url.PathEscape(v), 1))
			}
		}
		paths = next
	}
	slices.Sort(paths)
	return slices.Compact(paths)
}
