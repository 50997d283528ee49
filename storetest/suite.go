package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqldb"
)

// Run runs the conformance suite against one engine, each case on its own
// fresh database.
func Run(t *testing.T, e Engine) {
	cases := []struct {
		name string
		fn   func(t *testing.T, db *sqldb.DB)
	}{
		{"Countries", testCountries},
		{"RatingHistoryAndCurrent", testRatings},
		{"RatingValidation", testRatingValidation},
		{"UpdateRoundTrip", testUpdateRoundTrip},
		{"UpdateSlugs", testUpdateSlugs},
		{"CountUpdatesWithoutSlugPrefix", testCountUpdatesWithoutSlugPrefix},
		{"UpdateValidation", testUpdateValidation},
		{"SaveAndDeleteUpdate", testSaveAndDeleteUpdate},
		{"FindUpdates", testFindUpdates},
		{"InsertUpdatesAllOrNothing", testInsertUpdatesAllOrNothing},
		{"TransactionRollsBack", testTransactionRollsBack},
		{"CommitOutlivesContext", testCommitOutlivesContext},
		{"Watchlist", testWatchlist},
		{"Vocabulary", testVocabulary},
		{"Users", testUsers},
		{"SchemaVersion", testSchemaVersion},
		{"DataVersion", testDataVersion},
		{"AuditLogChains", testAuditLog},
		{"Sessions", testSessions},
		{"SaveUserEndsSessions", testSaveUserEndsSessions},
		{"Settings", testSettings},
		{"RatingProposals", testRatingProposals},
		{"Revisions", testRevisions},
		{"Archive", testArchive},   // storetest/archive.go
		{"Comments", testComments}, // storetest/comment.go
		{"PasswordResets", testPasswordResets},
		{"APITokens", testAPITokens},
		{"Search", testSearch},                   // storetest/search.go
		{"SearchLanguages", testSearchLanguages}, // storetest/search_lang.go
		{"SearchTypos", testSearchTypos},
		{"SearchDrafts", testSearchDrafts},
		{"SearchJudged", testSearchJudged},                     // storetest/search_judged.go
		{"SearchPostings", testSearchPostings},                 // storetest/search_postings.go
		{"SearchDeferred", testSearchDeferred},                 // storetest/search_deferred.go
		{"Statistics", testStats},                              // storetest/stats.go
		{"Outbox", testOutbox},                                 // storetest/outbox.go
		{"OutboxConcurrentClaims", testOutboxConcurrentClaims}, // storetest/outbox.go
		{"UpdateVersions", testUpdateVersions},                 // storetest/version.go
		{"WatchlistVersions", testWatchlistVersions},
		{"SettingVersions", testSettingVersions},
		{"ProposalVersions", testProposalVersions},
		{"FieldTranslations", testFieldTranslations}, // storetest/fieldtranslation.go
		{"FieldTranslationVersions", testFieldTranslationVersions},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.fn(t, e.Open(t))
		})
	}
}

var ctx = context.Background()

var kazakhstan = civicmon.Country{Code: "KZ", Code3: "KAZ", Name: "Kazakhstan", Slug: "kazakhstan", Region: civicmon.RegionEuropeCentralAsia}
var chile = civicmon.Country{Code: "CL", Code3: "CHL", Name: "Chile", Slug: "chile", Region: civicmon.RegionAmericas}

// seedCountries stores Kazakhstan and Chile.
func seedCountries(t *testing.T, s civicmon.Store) {
	t.Helper()
	for _, c := range []civicmon.Country{kazakhstan, chile} {
		if err := s.PutCountry(ctx, &c); err != nil {
			t.Fatalf("PutCountry(%s): %v", c.Code, err)
		}
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := civicmon.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func wantFieldError(t *testing.T, err error, field, contains string) {
	t.Helper()
	var ve *civicmon.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v (%T), want a validation error on %s", err, err, field)
	}
	for _, f := range ve.Fields {
		if f.Field == field && strings.Contains(f.Message, contains) {
			return
		}
	}
	t.Fatalf("validation error %q has no %s error containing %q", ve, field, contains)
}

func testCountries(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	seedCountries(t, s)
	cs, err := s.Countries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Code != "CL" || cs[1] != kazakhstan {
		t.Fatalf("Countries = %+v, want Chile then Kazakhstan", cs)
	}
	c, err := s.CountryBySlug(ctx, "kazakhstan")
	if err != nil || *c != kazakhstan {
		t.Fatalf("CountryBySlug = %+v, %v", c, err)
	}
	_, err = s.CountryByCode(ctx, "ZZ")
	wantCode(t, err, civicmon.ENOTFOUND)

	renamed := kazakhstan
	renamed.Name = "Republic of Kazakhstan"
	if err := s.PutCountry(ctx, &renamed); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.CountryByCode(ctx, "KZ"); c.Name != renamed.Name {
		t.Fatalf("PutCountry did not replace: %+v", c)
	}
	clash := civicmon.Country{Code: "KG", Code3: "KGZ", Name: "Kyrgyzstan", Slug: "kazakhstan", Region: civicmon.RegionEuropeCentralAsia}
	wantCode(t, s.PutCountry(ctx, &clash), civicmon.ECONFLICT)
	bad := civicmon.Country{Code: "kz", Code3: "KAZ", Name: "x", Slug: "x", Region: "europe"}
	err = s.PutCountry(ctx, &bad)
	wantFieldError(t, err, "country.code", `"kz" is not an ISO 3166-1 alpha-2 code`)
	wantFieldError(t, err, "country.region", `"europe" is not a region`)
}

func testRatings(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	seedCountries(t, s)
	add := func(code, date string, score int, cat civicmon.Category) {
		t.Helper()
		r := civicmon.Rating{CountryCode: code, EffectiveDate: civicmon.MustDate(date), Score: score, Category: cat, Rationale: "test"}
		if err := s.AddRating(ctx, &r); err != nil {
			t.Fatalf("AddRating(%s %s): %v", code, date, err)
		}
		if r.ID == 0 {
			t.Fatal("AddRating did not set ID")
		}
	}
	add("KZ", "2022-06-21", 0, civicmon.Repressed)
	add("KZ", "2017-12-01", 0, civicmon.Obstructed)
	add("KZ", "2030-01-01", 15, "") // in the future: not yet current
	add("CL", "2020-12-09", 55, civicmon.Obstructed)

	h, err := s.RatingHistory(ctx, "KZ")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 3 || h[0].Category != civicmon.Obstructed || h[1].Category != civicmon.Repressed || h[2].Category != civicmon.Closed {
		t.Fatalf("history = %+v, want Obstructed, Repressed, Closed oldest first", h)
	}
	if h[2].Score != 15 || h[0].HasScore() {
		t.Fatalf("scores = %d, %d; want 15 and none", h[2].Score, h[0].Score)
	}
	cur, err := s.CurrentRatings(ctx, civicmon.MustDate("2026-11-26"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cur) != 2 || cur["KZ"].Category != civicmon.Repressed || cur["KZ"].EffectiveDate.String() != "2022-06-21" || cur["CL"].Score != 55 {
		t.Fatalf("current = %+v", cur)
	}
	cur, _ = s.CurrentRatings(ctx, civicmon.MustDate("2022-06-20"))
	if cur["KZ"].Category != civicmon.Obstructed {
		t.Fatalf("rating the day before the change = %v, want Obstructed", cur["KZ"].Category)
	}
	err = s.AddRating(ctx, &civicmon.Rating{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2022-06-21"), Category: civicmon.Closed})
	wantCode(t, err, civicmon.ECONFLICT)
}

func testRatingValidation(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	seedCountries(t, s)
	err := s.AddRating(ctx, &civicmon.Rating{CountryCode: "ZZ", EffectiveDate: civicmon.MustDate("2022-01-01"), Score: 50})
	wantFieldError(t, err, "rating.country", `"ZZ" is not a known country code`)
	err = s.AddRating(ctx, &civicmon.Rating{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2022-01-01"), Score: 101})
	wantFieldError(t, err, "rating.score", "101 is outside the allowed range 1–100")
	err = s.AddRating(ctx, &civicmon.Rating{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2022-01-01"), Score: 35, Category: civicmon.Open})
	wantFieldError(t, err, "rating.category", "Open does not match score 35")
	if h, _ := s.RatingHistory(ctx, "KZ"); len(h) != 0 {
		t.Fatalf("rejected ratings were stored: %+v", h)
	}
}

// sampleUpdate is a published update on Kazakhstan with every field set.
func sampleUpdate() civicmon.Update {
	return civicmon.Update{
		UID:             "testuid0000000000001",
		CountryCode:     "KZ",
		Title:           "Wave of political repression: witch hunts for activists",
		Summary:         "Over 30 people detained.",
		Body:            "## Detentions\n\nOver 30 people were detained.",
		PublishedOn:     civicmon.MustDate("2021-02-15"),
		DateApproximate: true,
		PeriodStart:     civicmon.MustDate("2020-10-01"),
		PeriodEnd:       civicmon.MustDate("2021-01-31"),
		Freedoms:        civicmon.NewFreedomSet(civicmon.Association, civicmon.Expression),
		Violations:      []string{"detention-of-activists", "prosecution-of-activists"},
		Partner:         "A research partner",
		Sources: []civicmon.Source{{URL: "https://example.org/report", Title: "Report", Publisher: "Example",
			PublishedOn: civicmon.MustDate("2021-01-20"), Contact: "private contact"}},
		Language:      "en",
		Translations:  []civicmon.Translation{{Language: "ru", Title: "Волна политических репрессий", Summary: "Более 30 человек задержаны.", Body: "Текст"}},
		Status:        civicmon.StatusPublished,
		InternalNotes: "private note",
		Incidents: []civicmon.Incident{
			{OccurredOn: civicmon.MustDate("2021-01-10"), DateApproximate: true, Freedom: civicmon.Association,
				Violation: "detention-of-activists", Target: "opposition-members", PeopleAffected: 30, Place: "Almaty",
				Description: "Over 30 detained", VictimName: "private victim"},
			{Freedom: civicmon.Expression, Violation: "internet-shutdown"},
		},
	}
}

func testUpdateRoundTrip(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	seedCountries(t, s)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	u := sampleUpdate()
	if err := s.CreateUpdate(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Slug != "wave-of-political-repression-witch-hunts-for-activists" || u.Incidents[0].ID == 0 {
		t.Fatalf("CreateUpdate did not fill ID, slug and incident IDs: %d %q %d", u.ID, u.Slug, u.Incidents[0].ID)
	}
	for name, get := range map[string]func() (*civicmon.Update, error){
		"ByID":   func() (*civicmon.Update, error) { return s.UpdateByID(ctx, u.ID) },
		"ByUID":  func() (*civicmon.Update, error) { return s.UpdateByUID(ctx, u.UID) },
		"BySlug": func() (*civicmon.Update, error) { return s.UpdateBySlug(ctx, u.Slug) },
	} {
		got, err := get()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !got.CreatedAt.Equal(now) || !got.UpdatedAt.Equal(now) {
			t.Fatalf("%s: timestamps %v %v, want %v", name, got.CreatedAt, got.UpdatedAt, now)
		}
		got.CreatedAt, got.UpdatedAt = u.CreatedAt, u.UpdatedAt
		if !reflect.DeepEqual(*got, u) {
			t.Fatalf("%s round trip differs:\n got %+v\nwant %+v", name, *got, u)
		}
	}
	_, err := s.UpdateBySlug(ctx, "nope")
	wantCode(t, err, civicmon.ENOTFOUND)

	byUpdate, err := s.IncidentsByUpdate(ctx, []int64{u.ID, 99999})
	if err != nil || len(byUpdate) != 1 || !reflect.DeepEqual(byUpdate[u.ID], u.Incidents) {
		t.Fatalf("IncidentsByUpdate = %+v, %v", byUpdate, err)
	}
	ids, err := s.UpdateIDsByUID(ctx, []string{u.UID, "no-such-uid"})
	if err != nil || !reflect.DeepEqual(ids, map[string]int64{u.UID: u.ID}) {
		t.Fatalf("UpdateIDsByUID = %v, %v", ids, err)
	}
}

func testUpdateSlugs(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	seedCountries(t, s)
	var slugs []string
	for range 3 {
		u := civicmon.Update{CountryCode: "KZ", Title: "Kazakhstan: Civic space limited"}
		if err := s.CreateUpdate(ctx, &u); err != nil {
			t.Fatal(err)
		}
		slugs = append(slugs, u.Slug)
	}
	want := []string{"kazakhstan-civic-space-limited", "kazakhstan-civic-space-limited-2", "kazakhstan-civic-space-limited-3"}
	if !reflect.DeepEqual(slugs, want) {
		t.Fatalf("slugs = %v, want %v", slugs, want)
	}
	given := civicmon.Update{CountryCode: "KZ", Title: "Other", Slug: "kazakhstan-civic-space-limited"}
	wantCode(t, s.CreateUpdate(ctx, &given), civicmon.ECONFLICT)
}

func testUpdateValidation(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	seedCountries(t, s)
	err := s.CreateUpdate(ctx, &civicmon.Update{CountryCode: "KZ"})
	wantFieldError(t, err, "update.title", "is required")
	err = s.CreateUpdate(ctx, &civicmon.Update{Title: "No country"})
	wantFieldError(t, err, "update.country", "is required")
	err = s.CreateUpdate(ctx, &civicmon.Update{Title: "Unknown country", CountryCode: "ZZ"})
	wantFieldError(t, err, "update.country", `"ZZ" is not a known country code`)
	u := sampleUpdate()
	u.Incidents[1].Freedom = ""
	u.Violations = append(u.Violations, "not-a-violation")
	err = s.CreateUpdate(ctx, &u)
	wantFieldError(t, err, "update.incidents[1].freedom", "is required")
	wantFieldError(t, err, "update.violations[2]", `"not-a-violation" is not a violation type`)
	if _, n, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{}); n != 0 {
		t.Fatalf("%d invalid updates were stored", n)
	}
}

func testSaveAndDeleteUpdate(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	seedCountries(t, s)
	u := sampleUpdate()
	if err := s.CreateUpdate(ctx, &u); err != nil {
		t.Fatal(err)
	}
	u.Title = "Edited"
	u.Violations = []string{"internet-shutdown"}
	u.Incidents = u.Incidents[1:]
	u.CountryCode = "CL"
	if err := s.SaveUpdate(ctx, &u); err != nil {
		t.Fatal(err)
	}
	got, err := s.UpdateByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Edited" || got.CountryCode != "CL" || !reflect.DeepEqual(got.Violations, []string{"internet-shutdown"}) || len(got.Incidents) != 1 {
		t.Fatalf("SaveUpdate not applied: %+v", got)
	}
	if _, n, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{Violation: "detention-of-activists"}); n != 0 {
		t.Fatal("old violation tag still matches after SaveUpdate")
	}
	missing := u
	missing.ID = 99999
	wantCode(t, s.SaveUpdate(ctx, &missing), civicmon.ENOTFOUND)
	if err := s.DeleteUpdate(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.UpdateByID(ctx, u.ID)
	wantCode(t, err, civicmon.ENOTFOUND)
	wantCode(t, s.DeleteUpdate(ctx, u.ID), civicmon.ENOTFOUND)
}

func testFindUpdates(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	seedCountries(t, s)
	var us []civicmon.Update
	for i := range 30 {
		u := civicmon.Update{
			UID: fmt.Sprintf("find%016d", i), Slug: fmt.Sprintf("find-%d", i),
			CountryCode: []string{"KZ", "CL"}[i%2], Title: fmt.Sprintf("Update %d", i),
			PublishedOn: civicmon.MustDate("2020-01-01").AddDays(i),
			Status:      civicmon.StatusPublished,
			Freedoms:    civicmon.NewFreedomSet(civicmon.Freedoms[i%3]),
		}
		if i%5 == 0 {
			u.Violations = []string{"censorship"}
		}
		if i >= 28 {
			u.Status = civicmon.StatusDraft
		}
		us = append(us, u)
	}
	if err := s.InsertUpdates(ctx, us); err != nil {
		t.Fatal(err)
	}
	pub := []civicmon.Status{civicmon.StatusPublished}
	check := func(name string, f civicmon.UpdateFilter, wantTotal int, wantFirst string) {
		t.Helper()
		got, total, err := s.FindUpdates(ctx, f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if total != wantTotal {
			t.Fatalf("%s: total %d, want %d", name, total, wantTotal)
		}
		if wantFirst != "" && (len(got) == 0 || got[0].Slug != wantFirst) {
			t.Fatalf("%s: first %v, want %s", name, got, wantFirst)
		}
	}
	check("all", civicmon.UpdateFilter{}, 30, "find-29")
	check("published", civicmon.UpdateFilter{Statuses: pub}, 28, "find-27")
	check("country", civicmon.UpdateFilter{CountryCode: "KZ", Statuses: pub}, 14, "find-26")
	check("region", civicmon.UpdateFilter{Region: civicmon.RegionAmericas, Statuses: pub}, 14, "find-27")
	check("freedom", civicmon.UpdateFilter{Freedom: civicmon.Expression, Statuses: pub}, 9, "find-26")
	check("violation", civicmon.UpdateFilter{Violation: "censorship"}, 6, "find-25")
	check("since-until", civicmon.UpdateFilter{Since: civicmon.MustDate("2020-01-05"), Until: civicmon.MustDate("2020-01-09")}, 5, "find-8")
	check("oldest", civicmon.UpdateFilter{Order: "oldest"}, 30, "find-0")
	if got, total, err := s.FindUpdates(ctx, civicmon.UpdateFilter{SkipTotal: true, Limit: 5}); err != nil || total != -1 || len(got) != 5 {
		t.Fatalf("SkipTotal: %d updates, total %d, %v", len(got), total, err)
	}
	mid, err := s.UpdateBySlug(ctx, "find-10")
	if err != nil {
		t.Fatal(err)
	}
	at := &civicmon.UpdateCursor{PublishedOn: mid.PublishedOn, ID: mid.ID}
	check("before", civicmon.UpdateFilter{CountryCode: "KZ", Before: at, Limit: 1}, 5, "find-8")
	check("after", civicmon.UpdateFilter{CountryCode: "KZ", After: at, Order: "oldest", Limit: 1}, 9, "find-12")
	byCountry, err := s.CountUpdatesByCountry(ctx, civicmon.UpdateFilter{Freedom: civicmon.Expression, Statuses: pub})
	if err != nil || !reflect.DeepEqual(byCountry, map[string]int{"KZ": 5, "CL": 4}) {
		t.Fatalf("CountUpdatesByCountry = %v, %v; want KZ 5, CL 4", byCountry, err)
	}
	page, total, err := s.FindUpdates(ctx, civicmon.UpdateFilter{Statuses: pub, Limit: 20, Offset: 20})
	if err != nil || total != 28 || len(page) != 8 || page[0].Slug != "find-7" {
		t.Fatalf("second page: %d items, total %d, err %v", len(page), total, err)
	}
}

func testInsertUpdatesAllOrNothing(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	seedCountries(t, s)
	us := []civicmon.Update{
		{UID: "bulk0000000000000001", Slug: "a", CountryCode: "KZ", Title: "A"},
		{UID: "bulk0000000000000002", Slug: "b", CountryCode: "KZ", Title: "B"},
		{UID: "bulk0000000000000003", Slug: "c", CountryCode: "ZZ", Title: "C"},
	}
	err := s.InsertUpdates(ctx, us)
	if err == nil || !strings.Contains(err.Error(), "update 3 of 3") || !strings.Contains(err.Error(), `"ZZ" is not a known country code`) {
		t.Fatalf("InsertUpdates error = %v, want one naming update 3 and the unknown country", err)
	}
	if _, n, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{}); n != 0 {
		t.Fatalf("a failed batch kept %d updates", n)
	}
	us[2].CountryCode = "KZ"
	us[2].Slug = "a"
	wantCode(t, errors.Unwrap(s.InsertUpdates(ctx, us)), civicmon.ECONFLICT)
}

func testTransactionRollsBack(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx civicmon.Store) error {
		seedCountries(t, tx)
		r := civicmon.Rating{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2022-06-21"), Category: civicmon.Repressed}
		if err := tx.AddRating(ctx, &r); err != nil {
			return err
		}
		// Reads inside the transaction see its writes.
		if h, err := tx.RatingHistory(ctx, "KZ"); err != nil || len(h) != 1 {
			t.Errorf("read inside tx: %v, %v", h, err)
		}
		// Nested InTx joins the outer transaction.
		return tx.InTx(ctx, func(inner civicmon.Store) error { return boom })
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx error = %v, want boom", err)
	}
	if cs, _ := s.Countries(ctx); len(cs) != 0 {
		t.Fatalf("rolled back transaction kept %d countries", len(cs))
	}
	if err := s.InTx(ctx, func(tx civicmon.Store) error { seedCountries(t, tx); return nil }); err != nil {
		t.Fatal(err)
	}
	if cs, _ := s.Countries(ctx); len(cs) != 2 {
		t.Fatalf("committed transaction kept %d countries, want 2", len(cs))
	}
}

// testCommitOutlivesContext: a transaction whose work is done commits even
// when its context ends before the commit (a request past its deadline,
// a client gone): the commit of a large write, or one that makes FTS5
// merge, takes long, and an interrupted commit loses work that the next
// write must do again. Waiting for the write connection, and a statement
// run after the context ended, still give up.
func testCommitOutlivesContext(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	c, cancel := context.WithCancel(ctx)
	err := s.InTx(c, func(tx civicmon.Store) error {
		seedCountries(t, tx)
		cancel() // the request's deadline passes as its work ends
		return nil
	})
	if err != nil {
		t.Fatalf("InTx with its context ended before the commit: %v", err)
	}
	if cs, _ := s.Countries(ctx); len(cs) != 2 {
		t.Fatalf("the transaction kept %d countries, want 2", len(cs))
	}

	// A statement asked after the context ended fails, and the
	// transaction rolls back.
	c, cancel = context.WithCancel(ctx)
	err = s.InTx(c, func(tx civicmon.Store) error {
		cancel()
		r := civicmon.Rating{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2022-06-21"), Category: civicmon.Repressed}
		return tx.AddRating(c, &r)
	})
	if err == nil {
		t.Fatal("a statement run after its context ended succeeded")
	}
	if h, _ := s.RatingHistory(ctx, "KZ"); len(h) != 0 {
		t.Fatalf("a transaction whose statement failed kept %d ratings", len(h))
	}

	// Waiting for a transaction gives up with its context.
	c, cancel = context.WithCancel(ctx)
	cancel()
	if err := s.InTx(c, func(tx civicmon.Store) error { return nil }); err == nil {
		t.Fatal("InTx with an ended context began a transaction")
	}
}

func testWatchlist(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	seedCountries(t, s)
	for _, w := range []civicmon.WatchlistEdition{
		{PublishedOn: civicmon.MustDate("2019-10-01"), DateApproximate: true, Title: "October 2019", Entries: []civicmon.WatchlistEntry{{CountryCode: "KZ", Narrative: "n1"}}},
		{PublishedOn: civicmon.MustDate("2022-03-01"), Title: "March 2022", Introduction: "intro", Entries: []civicmon.WatchlistEntry{{CountryCode: "KZ", Narrative: "n2"}, {CountryCode: "CL", Narrative: "n3"}}},
	} {
		if err := s.CreateWatchlistEdition(ctx, &w); err != nil {
			t.Fatal(err)
		}
	}
	eds, err := s.WatchlistEditions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(eds) != 2 || eds[0].Title != "March 2022" || len(eds[0].Entries) != 2 || eds[0].Entries[1].CountryCode != "CL" ||
		!eds[1].DateApproximate || eds[1].Entries[0].Narrative != "n1" {
		t.Fatalf("editions = %+v", eds)
	}
	edited := eds[0]
	edited.Title = "March 2022, corrected"
	edited.Entries = edited.Entries[:1]
	if err := s.SaveWatchlistEdition(ctx, &edited); err != nil {
		t.Fatal(err)
	}
	if eds, _ = s.WatchlistEditions(ctx); eds[0].Title != "March 2022, corrected" || len(eds[0].Entries) != 1 {
		t.Fatalf("after SaveWatchlistEdition: %+v", eds[0])
	}
	revs, err := s.Revisions(ctx, "watchlist", edited.ID)
	if err != nil || len(revs) != 2 || revs[1].Action != "watchlist.save" {
		t.Fatalf("watchlist revisions = %+v, %v", revs, err)
	}
	missing := edited
	missing.ID = 999999
	wantCode(t, s.SaveWatchlistEdition(ctx, &missing), civicmon.ENOTFOUND)
	dup := civicmon.WatchlistEdition{PublishedOn: civicmon.MustDate("2022-03-01"), Title: "again"}
	wantCode(t, s.CreateWatchlistEdition(ctx, &dup), civicmon.ECONFLICT)
	bad := civicmon.WatchlistEdition{PublishedOn: civicmon.MustDate("2023-03-01"), Title: "bad", Entries: []civicmon.WatchlistEntry{{CountryCode: "ZZ"}}}
	wantFieldError(t, s.CreateWatchlistEdition(ctx, &bad), "watchlist.entries[0].country", `"ZZ" is not a known country code`)
}

func testVocabulary(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	v, err := s.Vocabulary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v.Violations, civicmon.DefaultViolations) || !reflect.DeepEqual(v.Targets, civicmon.DefaultTargets) {
		t.Fatalf("seeded vocabulary differs from the defaults")
	}
	if err := s.AddViolationType(ctx, civicmon.Term{Slug: "travel-ban", Name: "Travel ban"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTargetGroup(ctx, civicmon.Term{Slug: "lawyers", Name: "Lawyers"}); err != nil {
		t.Fatal(err)
	}
	v, _ = s.Vocabulary(ctx)
	if last := v.Violations[len(v.Violations)-1]; last.Slug != "travel-ban" || !v.HasTarget("lawyers") {
		t.Fatalf("added terms missing: %+v", last)
	}
	wantCode(t, s.AddViolationType(ctx, civicmon.Term{Slug: "censorship", Name: "again"}), civicmon.ECONFLICT)
	wantFieldError(t, s.AddTargetGroup(ctx, civicmon.Term{Slug: "Bad Slug", Name: "x"}), "target_group.slug", "is not a slug")
}

func testUsers(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	u := civicmon.User{Email: " Editor@Example.org ", Name: "Ed", Role: civicmon.RoleEditor, PasswordHash: "$argon2id$x"}
	if err := s.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserByEmail(ctx, "EDITOR@example.org")
	if err != nil || got.ID != u.ID || got.Email != "editor@example.org" {
		t.Fatalf("UserByEmail = %+v, %v", got, err)
	}
	again := civicmon.User{Email: "editor@example.org", Name: "Other", Role: civicmon.RoleAdmin, PasswordHash: "x"}
	wantCode(t, s.CreateUser(ctx, &again), civicmon.ECONFLICT)
	u.Role = civicmon.RoleAdmin
	if err := s.SaveUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.UserByID(ctx, u.ID); got.Role != civicmon.RoleAdmin {
		t.Fatalf("role = %s after SaveUser", got.Role)
	}
	bad := civicmon.User{Email: "not an address", Name: "x", Role: "owner", PasswordHash: "x"}
	err = s.CreateUser(ctx, &bad)
	wantFieldError(t, err, "user.email", "is not an e-mail address")
	wantFieldError(t, err, "user.role", `"owner" is not a role`)
	if us, _ := s.Users(ctx); len(us) != 1 {
		t.Fatalf("%d users, want 1", len(us))
	}
}

func testSchemaVersion(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	latest, err := db.LatestVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != latest || latest < 1 {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, latest)
	}
	// Migrating again is a no-op.
	if err := db.Migrate(ctx, func(m sqldb.Migration) { t.Errorf("re-applied migration %d", m.Version) }); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema on a current database: %v", err)
	}
	// A schema from the future is refused, and left as it is.
	if _, err := db.WriteDB().Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')`); err != nil {
		t.Fatal(err)
	}
	err = db.Migrate(ctx, nil)
	wantCode(t, err, civicmon.ESCHEMA)
	if !strings.Contains(err.Error(), "version 999") || !strings.Contains(err.Error(), fmt.Sprintf("up to %d", latest)) {
		t.Fatalf("error does not explain the versions: %v", err)
	}
	wantCode(t, db.CheckSchema(ctx), civicmon.ESCHEMA)
}

func testDataVersion(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	v0, err := db.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c0 := db.Commits()
	seedCountries(t, s)
	v1, _ := db.DataVersion(ctx)
	if v1 <= v0 || db.Commits() <= c0 {
		t.Fatalf("data version %d → %d, commits %d → %d after writes", v0, v1, c0, db.Commits())
	}
	c1 := db.Commits()
	s.InTx(ctx, func(tx civicmon.Store) error {
		tx.PutCountry(ctx, &civicmon.Country{Code: "KG", Code3: "KGZ", Name: "Kyrgyzstan", Slug: "kyrgyzstan", Region: civicmon.RegionEuropeCentralAsia})
		return errors.New("roll back")
	})
	if v2, _ := db.DataVersion(ctx); v2 != v1 || db.Commits() != c1 {
		t.Fatalf("a rolled back transaction moved the data version %d → %d", v1, v2)
	}
}

func testAuditLog(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	actx := civicmon.WithActor(ctx, 42)
	if err := s.PutCountry(actx, &kazakhstan); err != nil {
		t.Fatal(err)
	}
	u := civicmon.Update{CountryCode: "KZ", Title: "Audited", InternalNotes: "n"}
	if err := s.CreateUpdate(actx, &u); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, "user.login_failed", "user", "x@example.org", "bad password"); err != nil {
		t.Fatal(err)
	}
	// A rolled back write leaves no entry.
	s.InTx(ctx, func(tx civicmon.Store) error {
		tx.PutCountry(ctx, &chile)
		return errors.New("roll back")
	})
	var got []civicmon.AuditEntry
	if err := s.AuditLog(ctx, func(e *civicmon.AuditEntry) error { got = append(got, *e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Action != "country.put" || got[0].ActorID != 42 || got[1].Action != "update.create" ||
		got[1].EntityID != u.UID || got[2].ActorID != 0 || got[0].PrevHash != civicmon.GenesisHash || got[1].PrevHash != got[0].Hash {
		t.Fatalf("audit log = %+v", got)
	}
	problem, n, head, err := civicmon.VerifyAudit(ctx, s)
	if err != nil || problem != nil || n != 3 || head != got[2].Hash {
		t.Fatalf("VerifyAudit = %v, %d, %s, %v", problem, n, head, err)
	}
}

func testSessions(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	u := civicmon.User{Email: "r@example.org", Name: "R", Role: civicmon.RoleResearcher, PasswordHash: "x", TOTPSecret: "JBSWY3DPEHPK3PXP"}
	if err := s.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.UserByID(ctx, u.ID); got.TOTPSecret != "JBSWY3DPEHPK3PXP" || got.Disabled {
		t.Fatalf("user second factor not kept: %+v", got)
	}
	old := civicmon.Session{TokenHash: "old", UserID: u.ID, ExpiresAt: now.Add(-time.Hour)}
	a := civicmon.Session{TokenHash: "a", UserID: u.ID, MFAPending: true, ExpiresAt: now.Add(time.Hour)}
	b := civicmon.Session{TokenHash: "b", UserID: u.ID, ExpiresAt: now.Add(time.Hour)}
	for _, sess := range []*civicmon.Session{&old, &a, &b} {
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.SessionByHash(ctx, "a")
	if err != nil || got.UserID != u.ID || !got.MFAPending || !got.ExpiresAt.Equal(a.ExpiresAt) {
		t.Fatalf("SessionByHash = %+v, %v", got, err)
	}
	if err := s.CompleteMFA(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SessionByHash(ctx, "a"); got.MFAPending {
		t.Fatal("CompleteMFA left the session pending")
	}
	_, err = s.SessionByHash(ctx, "old")
	wantCode(t, err, civicmon.ENOTFOUND) // swept when newer sessions came
	if err := s.DeleteSession(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	_, err = s.SessionByHash(ctx, "a")
	wantCode(t, err, civicmon.ENOTFOUND)
	if err := s.DeleteUserSessions(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.SessionByHash(ctx, "b")
	wantCode(t, err, civicmon.ENOTFOUND)
}

// testSaveUserEndsSessions: a new password, a new role or disabling the
// account signs it out everywhere, in SaveUser itself, so that no caller
// can forget to; other changes (the name, the second factor) keep its
// sessions.
func testSaveUserEndsSessions(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	u := civicmon.User{Email: "s@example.org", Name: "S", Role: civicmon.RoleEditor, PasswordHash: "$argon2id$old"}
	other := civicmon.User{Email: "o@example.org", Name: "O", Role: civicmon.RoleEditor, PasswordHash: "$argon2id$other"}
	for _, x := range []*civicmon.User{&u, &other} {
		if err := s.CreateUser(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	signIn := func(id int64) string {
		n++
		hash := fmt.Sprintf("session-%d", n)
		if err := s.CreateSession(ctx, &civicmon.Session{TokenHash: hash, UserID: id, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		return hash
	}
	alive := func(hash string) bool {
		_, err := s.SessionByHash(ctx, hash)
		if err != nil && civicmon.ErrorCode(err) != civicmon.ENOTFOUND {
			t.Fatal(err)
		}
		return err == nil
	}
	otherSess := signIn(other.ID)
	for _, c := range []struct {
		name   string
		change func(u *civicmon.User)
		ends   bool
	}{
		{"name", func(u *civicmon.User) { u.Name = "Sam" }, false},
		{"second factor", func(u *civicmon.User) { u.TOTPSecret = "JBSWY3DPEHPK3PXP" }, false},
		{"nothing", func(u *civicmon.User) {}, false},
		{"password", func(u *civicmon.User) { u.PasswordHash = "$argon2id$new" }, true},
		{"role", func(u *civicmon.User) { u.Role = civicmon.RoleResearcher }, true},
		{"disabled", func(u *civicmon.User) { u.Disabled = true }, true},
		{"enabled", func(u *civicmon.User) { u.Disabled = false }, true},
	} {
		sess := signIn(u.ID)
		c.change(&u)
		if err := s.SaveUser(ctx, &u); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := alive(sess); got == c.ends {
			t.Errorf("a change of %s: session alive %v, want %v", c.name, got, !c.ends)
		}
	}
	// Inside a transaction that rolls back, the sessions stay.
	sess := signIn(u.ID)
	err := s.InTx(ctx, func(tx civicmon.Store) error {
		u.PasswordHash = "$argon2id$rolled-back"
		if err := tx.SaveUser(ctx, &u); err != nil {
			return err
		}
		return errors.New("roll back")
	})
	if err == nil || !alive(sess) {
		t.Errorf("a rolled-back SaveUser ended the sessions (err %v)", err)
	}
	if !alive(otherSess) {
		t.Error("another account's session was ended")
	}
}

func testSettings(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	if v, err := s.Setting(ctx, "x"); err != nil || v != "" {
		t.Fatalf("unset setting = %q, %v", v, err)
	}
	for _, v := range []string{"editor,admin", "admin"} {
		if err := s.SetSetting(ctx, "x", v); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Setting(ctx, "x"); got != v {
			t.Fatalf("setting = %q, want %q", got, v)
		}
	}
}

// testCountUpdatesWithoutSlugPrefix: the updates whose slug starts with
// something else, drafts and published alike, and none more.
func testCountUpdatesWithoutSlugPrefix(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	seedCountries(t, s)
	count := func(prefix string) int {
		t.Helper()
		n, err := s.CountUpdatesWithoutSlugPrefix(ctx, prefix)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("synthetic-"); n != 0 {
		t.Fatalf("empty database: %d", n)
	}
	for _, slug := range []string{"synthetic-1-1", "synthetic-1-2", "synthetics-1", "real-report", "synthetic"} {
		u := civicmon.Update{Slug: slug, CountryCode: "KZ", Title: slug, Status: civicmon.StatusDraft}
		if err := s.CreateUpdate(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	if n := count("synthetic-"); n != 3 {
		t.Fatalf("%d updates without the prefix, want 3 (synthetics-1, real-report, synthetic)", n)
	}
	if n := count("real-"); n != 4 {
		t.Fatalf("%d updates without the prefix real-, want 4", n)
	}
}
