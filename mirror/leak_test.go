package mirror_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/i18n"
	"github.com/civicmon/civicmon/mirror"
)

// canary marks every secret in the leak test (as web's leak test does).
const canary = "zqcanary"

// TestMirrorLeaksNothing plants a canary in every unpublished update, in
// every private field of a published one, in an account, in a rating
// change nobody approved and in a watchlist edition scheduled for the
// next day, exports a mirror, and reads every file of it —
// pages, feeds, downloads, the search index — for the canary.
func TestMirrorLeaksNothing(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	s := db.Store()
	author := &civicmon.User{Email: canary + "-author@example.org", Name: canary + " Author Name", Role: civicmon.RoleResearcher, PasswordHash: "x"}
	editor := &civicmon.User{Email: canary + "-editor@example.org", Name: canary + " Editor", Role: civicmon.RoleEditor, PasswordHash: "x"}
	for _, u := range []*civicmon.User{author, editor} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
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
			Translations: []civicmon.Translation{{Language: "ru", Title: canary + " перевод", Summary: canary, Body: canary}},
			Incidents:    []civicmon.Incident{{Freedom: civicmon.Expression, Violation: "censorship", Description: canary + " incident"}}})
	}
	pub := plant(civicmon.Update{CountryCode: "KZ", Title: "A published update with private fields", Summary: "Public summary.",
		Body: "Public body.", Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2026-01-03"), AuthorID: author.ID,
		Freedoms: civicmon.NewFreedomSet(civicmon.Assembly), Violations: []string{"detention-of-protesters"},
		InternalNotes: canary + " internal note",
		Sources:       []civicmon.Source{{URL: "https://example.org/report", Title: "Report", Contact: canary + " source contact"}},
		Translations:  []civicmon.Translation{{Language: "ru", Title: "Опубликованный обзор", Summary: "Резюме", Body: "Текст"}},
		Incidents: []civicmon.Incident{{Freedom: civicmon.Assembly, Violation: "detention-of-protesters", Target: "protesters",
			PeopleAffected: 3, Place: "Almaty", Description: "Three protesters detained", VictimName: canary + " victim name"}}})
	if err := s.ProposeRating(ctx, &civicmon.RatingProposal{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2026-11-20"),
		Category: civicmon.Closed, Rationale: canary + " unapproved rationale", ProposedBy: editor.ID}); err != nil {
		t.Fatal(err)
	}
	// A watchlist edition scheduled for the day after the export's.
	if err := s.CreateWatchlistEdition(ctx, &civicmon.WatchlistEdition{PublishedOn: civicmon.DateOf(clock()).AddDays(1),
		Title: canary + " scheduled edition", Introduction: canary + " scheduled introduction",
		Entries: []civicmon.WatchlistEntry{{CountryCode: "CL", Narrative: canary + " scheduled narrative"}}}); err != nil {
		t.Fatal(err)
	}
	// An approved rating dated the day after the export's.
	if err := s.AddRating(ctx, &civicmon.Rating{CountryCode: "KZ", EffectiveDate: civicmon.DateOf(clock()).AddDays(1), Score: 90,
		Category: civicmon.Open, Rationale: canary + " scheduled rating rationale", Source: canary + " scheduled rating source"}); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "mirror")
	export(t, s, dir, mirror.Options{Key: newKey(t), Langs: []i18n.Lang{i18n.English, i18n.Russian}})
	n := 0
	for _, f := range files(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		n++
		if i := bytes.Index(bytes.ToLower(b), []byte(canary)); i >= 0 {
			t.Errorf("%s shows a secret: …%s…", f, b[max(0, i-80):min(len(b), i+80)])
		}
		if strings.Contains(f, "hidden-") {
			t.Errorf("the mirror has a file of an unpublished update: %s", f)
		}
	}
	// The published update is there, with its public parts.
	page, err := os.ReadFile(filepath.Join(dir, "updates", pub.Slug+".html"))
	if err != nil {
		t.Fatalf("the published update has no page: %v", err)
	}
	for _, want := range []string{"Public body.", "Three protesters detained", "Almaty"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the published update's page lacks %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "updates", pub.Slug, "ru.html")); err != nil {
		t.Errorf("the translation of the published update has no page: %v", err)
	}
	t.Logf("read %d files", n)
}

// TestMirrorScheduledEdition: a mirror exported the day before an
// edition's date has no page of it; one exported on its day has.
func TestMirrorScheduledEdition(t *testing.T) {
	db := demoDB(t)
	day := civicmon.DateOf(clock()).AddDays(1)
	if err := db.Store().CreateWatchlistEdition(context.Background(), &civicmon.WatchlistEdition{PublishedOn: day,
		Title: "Scheduled edition", Entries: []civicmon.WatchlistEntry{{CountryCode: "CL", Narrative: "Protest policing."}}}); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join("watchlist", day.String()+".html")
	before := filepath.Join(t.TempDir(), "before")
	export(t, db.Store(), before, mirror.Options{Key: newKey(t)})
	if _, err := os.Stat(filepath.Join(before, page)); err == nil {
		t.Errorf("the mirror of the day before has %s", page)
	}
	if b, _ := os.ReadFile(filepath.Join(before, "watchlist.html")); bytes.Contains(b, []byte("Scheduled edition")) || len(b) == 0 {
		t.Errorf("the mirror of the day before shows the scheduled edition (or has no watchlist page)")
	}
	on := filepath.Join(t.TempDir(), "on")
	export(t, db.Store(), on, mirror.Options{Key: newKey(t), Now: func() time.Time { return clock().Add(24 * time.Hour) }})
	if b, err := os.ReadFile(filepath.Join(on, page)); err != nil || !bytes.Contains(b, []byte("<h1>Scheduled edition</h1>")) {
		t.Errorf("the mirror of the edition's day lacks its page %s: %v", page, err)
	}
}

// TestMirrorScheduledRating: a mirror exported the day before a rating's
// effective date shows the rating in force before it — country page, map,
// downloads, API-like JSON — and one exported on its day shows the new one.
func TestMirrorScheduledRating(t *testing.T) {
	db := demoDB(t)
	day := civicmon.DateOf(clock()).AddDays(1)
	if err := db.Store().AddRating(context.Background(), &civicmon.Rating{CountryCode: "KZ", EffectiveDate: day, Score: 90,
		Category: civicmon.Open, Rationale: "zqscheduled rationale", Source: "zqscheduled source"}); err != nil {
		t.Fatal(err)
	}
	before := filepath.Join(t.TempDir(), "before")
	export(t, db.Store(), before, mirror.Options{Key: newKey(t), Langs: []i18n.Lang{i18n.English}})
	for _, f := range files(t, before) {
		b, err := os.ReadFile(filepath.Join(before, f))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("zqscheduled")) || bytes.Contains(b, []byte(day.String())) && strings.Contains(f, "ratings") {
			t.Errorf("the mirror of the day before shows the scheduled rating in %s", f)
		}
	}
	on := filepath.Join(t.TempDir(), "on")
	export(t, db.Store(), on, mirror.Options{Key: newKey(t), Langs: []i18n.Lang{i18n.English}, Now: func() time.Time { return clock().Add(24 * time.Hour) }})
	for _, f := range []string{filepath.Join("countries", "kazakhstan.html"), filepath.Join("data", "ratings.csv"), filepath.Join("data", "civicmon.json")} {
		if b, err := os.ReadFile(filepath.Join(on, f)); err != nil || !bytes.Contains(b, []byte("zqscheduled")) {
			t.Errorf("the mirror of the rating's day lacks it in %s: %v", f, err)
		}
	}
}
