package storetest

// The postings of our own (sqldb/postings.go) answer every search exactly
// as the engine's index does: held in memory before a flush, in segments
// after one, with edits, unpublishing and deletions after the flush masking
// the segments, after merges, after another process flushed, and after a
// reindex (built again from every update); phrases by their pairs' buckets
// (a pair sharing a phrase's bucket is checked away), by popular pairs, and
// by every pair popular.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/postings"
	"github.com/civicmon/civicmon/sqldb"
)

// postingsQueries are searches whose answers must not depend on where the
// text was matched: words, their forms, names, phrases, exclusions, typos,
// filters, each sort.
var postingsQueries = []civicmon.SearchQuery{
	{Text: "journalist"}, {Text: "protesters"}, {Text: "detain"}, {Text: "manifestation"},
	{Text: "журналисты"}, {Text: "Tokayev"}, {Text: "Токаев"}, {Text: "Nazarbaev"}, {Text: "Қазақстан"},
	{Text: `"was fined"`}, {Text: `"tear gas" OR protest`}, {Text: "fined -journalists"}, {Text: "-protest"},
	{Text: "president spoke"}, {Text: "journalsts"}, {Text: "goverment"}, {Text: "update"}, {Text: "summary rallies"},
	{Text: "protest", Sort: civicmon.SortNewest}, {Text: "protest", Sort: civicmon.SortOldest},
	{Text: "president", Sort: civicmon.SortRelevance, Limit: 3},
	{Text: "journalist OR periodista", Freedoms: []civicmon.Freedom{civicmon.Expression}},
	{Text: "митинги", Freedoms: []civicmon.Freedom{civicmon.Assembly}},
	{Text: "president", Countries: []string{"KZ"}, Years: []int{2024}},
	{Text: "nothingatallword"}, {Text: `"journalist fined again"`}, {Text: `"tear gas was fired"`}, {Text: `"tear gas was"`},
	{Text: `"gas was fired" protest`, Sort: civicmon.SortRelevance}, {Text: `"gas was fired"`, Sort: civicmon.SortRelevance}, {Text: `"президент токаев"`}, {Text: `"rallies were held" -"tear gas"`},
	{Text: `"zebra crossing"`}, {Text: `"a zebra crossing"`},
}

// bucketMate returns a word w such that the pair "a w" is posted to the
// same bucket as "a b" (when neither is popular).
func bucketMate(a, b string) string {
	none := postings.NewPairs(nil)
	want, _ := none.Token(a, b)
	for i := 0; ; i++ {
		w := "mate"
		for n := i; n > 0; n /= 26 {
			w += string(rune('a' + n%26))
		}
		if tok, _ := none.Token(a, w); tok == want {
			return w
		}
	}
}

// searchAnswers returns the answers to postingsQueries, every page of
// each, as JSON, with the postings on or off.
func searchAnswers(t *testing.T, db *sqldb.DB, usePostings bool) []string {
	t.Helper()
	db.SetSearchPostings(usePostings)
	defer db.SetSearchPostings(true)
	s := db.Store()
	var out []string
	for _, q := range postingsQueries {
		for page := 0; page < 20; page++ {
			res, err := s.SearchUpdates(ctx, q)
			if err != nil {
				t.Fatalf("SearchUpdates(%+v): %v", q, err)
			}
			b, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(b))
			if res.NextCursor == "" {
				break
			}
			q.Cursor = res.NextCursor
		}
	}
	return out
}

// samePostingsAnswers fails unless the postings answer as the engine does,
// and the postings were used.
func samePostingsAnswers(t *testing.T, db *sqldb.DB, stage string) {
	t.Helper()
	ready, err := db.Store().PostingsReady(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !ready {
		t.Fatalf("%s: the postings are not ready", stage)
	}
	engine, own := searchAnswers(t, db, false), searchAnswers(t, db, true)
	if len(engine) != len(own) {
		t.Fatalf("%s: %d answers from the engine, %d from the postings", stage, len(engine), len(own))
	}
	for i := range engine {
		if engine[i] != own[i] {
			t.Errorf("%s: answer %d differs:\nengine:   %s\npostings: %s", stage, i, engine[i], own[i])
		}
	}
}

func segmentCount(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM search_segments`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func testSearchPostings(t *testing.T, db *sqldb.DB) {
	langFixtureStore(t, db)
	s := db.Store()
	for i := range 12 {
		u := civicmon.Update{Slug: fmt.Sprintf("cl-protest-%d", i), CountryCode: "CL", Status: civicmon.StatusPublished, Language: "es",
			PublishedOn: civicmon.MustDate("2023-06-01").AddDays(i), Title: "Protest in Santiago", Summary: "Tear gas was fired at protesters.",
			Body: "The president spoke of order.", Freedoms: civicmon.NewFreedomSet(civicmon.Assembly)}
		if i%3 == 0 {
			u.Title = "President meets journalists"
		}
		if err := s.CreateUpdate(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	// A text with the pairs of a phrase of three words apart ("tear gas"
	// and "gas was"), not the phrase: found by its pairs, then left out.
	pairsApart := civicmon.Update{Slug: "pairs-apart", CountryCode: "CL", Status: civicmon.StatusPublished, Language: "en",
		PublishedOn: civicmon.MustDate("2023-07-01"), Title: "Tear gas", Summary: "Summary.", Body: "Tear gas. Gas was fired later."}
	if err := s.CreateUpdate(ctx, &pairsApart); err != nil {
		t.Fatal(err)
	}
	// A title with a phrase's words but not the phrase, which the body
	// holds: it must not rank as if the title did.
	wordsInTitle := civicmon.Update{Slug: "words-in-title", CountryCode: "CL", Status: civicmon.StatusPublished, Language: "en",
		PublishedOn: civicmon.MustDate("2023-05-01"), Title: "Fired: gas was", Summary: "Summary.", Body: "Tear gas was fired."}
	if err := s.CreateUpdate(ctx, &wordsInTitle); err != nil {
		t.Fatal(err)
	}
	// Two updates, one with the phrase "zebra crossing", the other with
	// its words apart and a pair of words posted to the same bucket
	// (postings.Pairs): the bucket holds both, the phrase only the first.
	mate := bucketMate("zebra", "crossing")
	for slug, body := range map[string]string{"zebra-crossing": "A zebra crossing was closed.", "bucket-mate": "A zebra " + mate + " and a crossing."} {
		u := civicmon.Update{Slug: slug, CountryCode: "CL", Status: civicmon.StatusPublished, Language: "en",
			PublishedOn: civicmon.MustDate("2023-08-01"), Title: "Streets", Summary: "Summary.", Body: body}
		if err := s.CreateUpdate(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	wantHits(t, s, civicmon.SearchQuery{Text: `"zebra crossing"`}, "zebra-crossing")
	if res := searchFor(t, s, text(`"tear gas was"`)); res.Total != 13 || slices.Contains(hitSlugs(res), "pairs-apart") {
		t.Errorf(`"tear gas was": %d updates %q, want the 12 of Santiago and words-in-title, not pairs-apart`, res.Total, hitSlugs(res))
	}
	samePostingsAnswers(t, db, "before any flush (postings in memory)")

	if err := s.FlushPostings(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n := segmentCount(t, db); n != 1 {
		t.Errorf("after the first flush: %d segments, want 1 (one block)", n)
	}
	samePostingsAnswers(t, db, "after a flush (segments)")

	// Edits after the flush: the memory's newer versions hide the
	// segment's.
	edit := func(slug string, fn func(u *civicmon.Update)) {
		t.Helper()
		u, err := s.UpdateBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		fn(u)
		if err := s.SaveUpdate(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	edit("name-tokayev", func(u *civicmon.Update) { u.Body = "The minister spoke." })
	edit("en-protests", func(u *civicmon.Update) { u.Status = civicmon.StatusDraft })
	edit("cl-protest-1", func(u *civicmon.Update) { u.Title = "Journalists detained" })
	d, err := s.UpdateBySlug(ctx, "en-detained")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUpdate(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	wantHits(t, s, civicmon.SearchQuery{Text: "minister"}, "name-tokayev")
	samePostingsAnswers(t, db, "edits after a flush")

	// Flushed: a second, small segment.
	if err := s.FlushPostings(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n := segmentCount(t, db); n != 2 {
		t.Errorf("after the second flush: %d segments, want 2", n)
	}
	samePostingsAnswers(t, db, "after a second flush")

	// Enough edits to make the newest segment as large as half the one
	// before it: the two are merged, and then that one with the first.
	for i := range 12 {
		edit(fmt.Sprintf("cl-protest-%d", i), func(u *civicmon.Update) { u.Summary = "Rubber bullets were fired." })
	}
	for _, f := range langFixture {
		if f.slug != "en-detained" {
			edit(f.slug, func(u *civicmon.Update) { u.Summary = "Edited summary." })
		}
	}
	edit("en-journalist", func(u *civicmon.Update) { u.Body = "Journalist fined again." })
	if err := s.FlushPostings(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n := segmentCount(t, db); n != 1 {
		t.Errorf("after edits of most updates: %d segments, want 1 (merged)", n)
	}
	wantHits(t, s, civicmon.SearchQuery{Text: `"tear gas"`}, "pairs-apart", "words-in-title")
	samePostingsAnswers(t, db, "after a merge")

	// Another process writes and flushes: this one rereads the segments.
	other := sqldb.New(db.WriteDB(), db.WriteDB(), db.Dialect())
	elsewhere := other.Store()
	u := civicmon.Update{Slug: "other-process", CountryCode: "KZ", Status: civicmon.StatusPublished, Language: "en",
		PublishedOn: civicmon.MustDate("2024-03-01"), Title: "Journalists fined elsewhere", Summary: "Summary."}
	if err := elsewhere.CreateUpdate(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if err := elsewhere.FlushPostings(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, "test", "search", "", "a write, so that the first process looks again"); err != nil {
		t.Fatal(err)
	}
	wantHits(t, s, civicmon.SearchQuery{Text: "elsewhere"}, "other-process")
	samePostingsAnswers(t, db, "after another process flushed")

	// A reindex empties the postings: searches ask the engine until they
	// are built again, from every update.
	if err := s.Reindex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if ready, err := s.PostingsReady(ctx); err != nil || ready {
		t.Fatalf("after Reindex: postings ready %v (%v), want not ready", ready, err)
	}
	wantHits(t, s, civicmon.SearchQuery{Text: "elsewhere"}, "other-process")
	var steps [][2]int
	if err := s.FlushPostings(ctx, func(done, total int) { steps = append(steps, [2]int{done, total}) }); err != nil {
		t.Fatal(err)
	}
	if len(steps) == 0 || steps[len(steps)-1][0] != steps[len(steps)-1][1] {
		t.Errorf("build progress %v, want it to end done", steps)
	}
	samePostingsAnswers(t, db, "after a rebuild")
	// The phrases the pairs leave to check, asked of the engine instead
	// (as when more than 2,000 updates are left to read).
	db.SetPhraseCheck(-1)
	samePostingsAnswers(t, db, "phrases the pairs leave asked of the engine")
	db.SetPhraseCheck(0)

	// Popular pairs (postings.Pairs): above, none was (an archive this
	// small has no pair in 500 updates), so every phrase was narrowed by
	// its pair's bucket and checked by reading. Built again with pairs in
	// 2 updates popular, and then with every pair popular, phrases of two
	// words are their pair's postings.
	for _, popular := range []int{2, 1} {
		db.SetPopularPairs(popular)
		stage := fmt.Sprintf("pairs in %d updates popular", popular)
		if err := s.Reindex(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.FlushPostings(ctx, nil); err != nil {
			t.Fatal(err)
		}
		var chosen string
		if err := db.WriteDB().QueryRowContext(ctx, `SELECT postings_pairs FROM search_state WHERE id = 1`).Scan(&chosen); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(chosen, "\n")
		if !slices.Contains(lines, "tear gas") || !slices.Contains(lines, "gas was") {
			t.Fatalf("%s: chosen %d pairs, without \"tear gas\" and \"gas was\"", stage, len(lines)-1)
		}
		if once := slices.Contains(lines, "fined elsewhere"); once != (popular == 1) {
			t.Errorf("%s: \"fined elsewhere\", in one update, chosen: %v", stage, once)
		}
		samePostingsAnswers(t, db, stage)
		edit("pairs-apart", func(u *civicmon.Update) { u.Body = "Tear gas was fired. Gas was fired later." })
		wantHits(t, s, civicmon.SearchQuery{Text: `"tear gas was fired"`}, "pairs-apart", "words-in-title")
		samePostingsAnswers(t, db, stage+", an edit in memory")
		if err := s.FlushPostings(ctx, nil); err != nil {
			t.Fatal(err)
		}
		samePostingsAnswers(t, db, stage+", an edit flushed")
		edit("pairs-apart", func(u *civicmon.Update) { u.Body = "Tear gas. Gas was fired later." })
	}
	db.SetPopularPairs(0)
}
