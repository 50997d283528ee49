package storetest

import (
	"fmt"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqldb"
)

// testArchive: the workspace's archive lists every status, filters, matches
// text as the search does (drafts included), sorts, pages, and tells imported updates from those
// written in the workspace.
func testArchive(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	tickingClock(db)
	seedCountries(t, s)
	alice := createUser(t, s, "alice@example.org", civicmon.RoleResearcher)
	bob := createUser(t, s, "bob@example.org", civicmon.RoleEditor)

	mk := func(uid, country, title, body string, st civicmon.Status, author int64, lang string) civicmon.Update {
		u := sampleUpdate()
		u.UID, u.Slug, u.CountryCode, u.Title, u.Body, u.Status, u.AuthorID, u.Language = uid, "", country, title, body, st, author, lang
		u.Translations = nil
		if st != civicmon.StatusPublished {
			u.PublishedOn = civicmon.Date{}
		}
		return u
	}
	written := []civicmon.Update{
		mk("arch0000000000000001", "KZ", "Protest in Almaty dispersed", "Police detained twenty", civicmon.StatusDraft, alice.ID, "en"),
		mk("arch0000000000000002", "KZ", "Журналист задержан", "Алматы, полиция", civicmon.StatusInReview, alice.ID, "ru"),
		mk("arch0000000000000003", "CL", "Marcha en Santiago", "Carabineros 100%_sure", civicmon.StatusPublished, bob.ID, "es"),
	}
	for i := range written {
		if err := s.CreateUpdate(ctx, &written[i]); err != nil {
			t.Fatal(err)
		}
	}
	// An import: drafts without an author, and one with, through the bulk path.
	imported := []civicmon.Update{
		mk("arch0000000000000004", "KZ", "Imported dossier draft on Zhanaozen", "from the dossier", civicmon.StatusDraft, 0, "en"),
		mk("arch0000000000000005", "KZ", "Imported and assigned", "from the dossier", civicmon.StatusDraft, bob.ID, "en"),
	}
	if err := s.InsertUpdates(ctx, imported); err != nil {
		t.Fatal(err)
	}
	stored, err := s.UpdateByUID(ctx, "arch0000000000000004")
	if err != nil {
		t.Fatal(err)
	}

	find := func(q civicmon.ArchiveQuery) ([]civicmon.ArchiveEntry, int) {
		t.Helper()
		es, total, err := s.ArchiveUpdates(ctx, q)
		if err != nil {
			t.Fatalf("ArchiveUpdates(%+v): %v", q, err)
		}
		return es, total
	}
	uids := func(es []civicmon.ArchiveEntry) string {
		out := ""
		for _, e := range es {
			out += e.UID[len(e.UID)-1:]
		}
		return out
	}
	for _, c := range []struct {
		name  string
		q     civicmon.ArchiveQuery
		want  string // last digits of the uids, in order
		total int
	}{
		{"everything, last changed first", civicmon.ArchiveQuery{}, "54321", 5},
		{"oldest change first", civicmon.ArchiveQuery{Reverse: true}, "12345", 5},
		{"drafts", civicmon.ArchiveQuery{Statuses: []civicmon.Status{civicmon.StatusDraft}}, "541", 3},
		{"draft or in review", civicmon.ArchiveQuery{Statuses: []civicmon.Status{civicmon.StatusDraft, civicmon.StatusInReview}}, "5421", 4},
		{"country", civicmon.ArchiveQuery{CountryCode: "CL"}, "3", 1},
		{"language", civicmon.ArchiveQuery{Language: "ru"}, "2", 1},
		{"author", civicmon.ArchiveQuery{AuthorID: alice.ID}, "21", 2},
		{"no author", civicmon.ArchiveQuery{NoAuthor: true}, "4", 1},
		{"imported", civicmon.ArchiveQuery{Imported: true}, "54", 2},
		{"imported drafts with no author", civicmon.ArchiveQuery{Imported: true, NoAuthor: true, Statuses: []civicmon.Status{civicmon.StatusDraft}}, "4", 1},
		{"a word of a title, any case", civicmon.ArchiveQuery{Text: "zhanaozen"}, "4", 1},
		{"a word of a body", civicmon.ArchiveQuery{Text: "TWENTY"}, "1", 1},
		{"every word must match", civicmon.ArchiveQuery{Text: "almaty twenty"}, "1", 1},
		{"words in different fields", civicmon.ArchiveQuery{Text: "protest police"}, "1", 1},
		{"no match", civicmon.ArchiveQuery{Text: "almaty nothing"}, "", 0},
		{"another form of a word (a draft)", civicmon.ArchiveQuery{Text: "protests"}, "1", 1},
		{"another form of a verb (a draft)", civicmon.ArchiveQuery{Text: "dispersing"}, "1", 1},
		{"Cyrillic, lower case", civicmon.ArchiveQuery{Text: "журналист"}, "2", 1},
		{"Cyrillic, another case of the word (in review)", civicmon.ArchiveQuery{Text: "журналиста"}, "2", 1},
		{"a name across scripts", civicmon.ArchiveQuery{Text: "Алматы"}, "21", 2},
		{"a published update, through the index", civicmon.ArchiveQuery{Text: "santiago"}, "3", 1},
		{"another form, published", civicmon.ArchiveQuery{Text: "marchas"}, "3", 1},
		{"a phrase", civicmon.ArchiveQuery{Text: `"police detained"`}, "1", 1},
		{"a phrase in the wrong order", civicmon.ArchiveQuery{Text: `"detained police"`}, "", 0},
		{"without a word: drafts", civicmon.ArchiveQuery{Text: "-twenty"}, "5432", 4},
		{"without a word: published", civicmon.ArchiveQuery{Text: "-santiago"}, "5421", 4},
		{"text and other filters", civicmon.ArchiveQuery{Text: "dossier", Statuses: []civicmon.Status{civicmon.StatusDraft}, NoAuthor: true}, "4", 1},
		{"punctuation is no wildcard", civicmon.ArchiveQuery{Text: "100%_"}, "3", 1},
		{"bytes that are not UTF-8 are dropped", civicmon.ArchiveQuery{Text: "zhanaozen\xff\xfe"}, "4", 1},
		{"no word at all filters nothing", civicmon.ArchiveQuery{Text: "%"}, "54321", 5},
		{"published within dates", civicmon.ArchiveQuery{Since: civicmon.MustDate("2021-02-15"), Until: civicmon.MustDate("2021-02-15")}, "3", 1},
		{"changed on a day", civicmon.ArchiveQuery{ChangedSince: civicmon.MustDate("2026-11-26"), ChangedUntil: civicmon.MustDate("2026-11-26")}, "54321", 5},
		{"changed after", civicmon.ArchiveQuery{ChangedSince: civicmon.MustDate("2026-11-27")}, "", 0},
		{"by title", civicmon.ArchiveQuery{Sort: civicmon.SortTitle}, "54312", 5},
		{"by title, reversed", civicmon.ArchiveQuery{Sort: civicmon.SortTitle, Reverse: true}, "21345", 5},
		{"by country", civicmon.ArchiveQuery{Sort: civicmon.SortCountry}, "35421", 5},
		{"published first", civicmon.ArchiveQuery{Sort: civicmon.SortPublished}, "35421", 5},
		{"a page", civicmon.ArchiveQuery{Limit: 2, Offset: 2}, "32", 5},
		{"the last page", civicmon.ArchiveQuery{Limit: 2, Offset: 4}, "1", 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			es, total := find(c.q)
			if got := uids(es); got != c.want || total != c.total {
				t.Fatalf("got %q of %d, want %q of %d", got, total, c.want, c.total)
			}
		})
	}

	es, _ := find(civicmon.ArchiveQuery{Text: "Zhanaozen"})
	if len(es) != 1 || !es[0].Imported || es[0].AuthorName != "" || es[0].ID != stored.ID || es[0].Body != "from the dossier" {
		t.Fatalf("imported entry = %+v", es)
	}
	es, _ = find(civicmon.ArchiveQuery{AuthorID: alice.ID})
	if es[0].Imported || es[0].AuthorName != alice.Name || len(es[0].Incidents) != 0 {
		t.Fatalf("written entry = %+v", es[0])
	}

	// An edit keeps an import an import.
	stored.Title = "Imported dossier draft on Zhanaozen, edited"
	if err := s.SaveUpdate(civicmon.WithActor(ctx, bob.ID), stored); err != nil {
		t.Fatal(err)
	}
	if es, _ := find(civicmon.ArchiveQuery{Imported: true, Text: "edited"}); len(es) != 1 {
		t.Fatalf("an edited import is no longer one: %+v", es)
	}

	_, _, err = s.ArchiveUpdates(ctx, civicmon.ArchiveQuery{Statuses: []civicmon.Status{"gone"}, Sort: "size"})
	wantFieldError(t, err, "archive.status", `"gone" is not a status`)
	wantFieldError(t, err, "archive.sort", `"size" is not a sort order`)

	testArchiveProposals(t, db, alice, bob)
}

func testArchiveProposals(t *testing.T, db *sqldb.DB, alice, bob civicmon.User) {
	s := db.Store()
	reviewer := createUser(t, s, "reviewer@example.org", civicmon.RoleReviewer)
	var ids []int64
	for i, p := range []civicmon.RatingProposal{
		{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2022-06-21"), Category: civicmon.Repressed, Rationale: "Crackdown after January events", ProposedBy: bob.ID},
		{CountryCode: "CL", EffectiveDate: civicmon.MustDate("2020-01-01"), Category: civicmon.Obstructed, Rationale: "Estallido social", ProposedBy: bob.ID},
		{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2019-12-01"), Category: civicmon.Obstructed, Rationale: "Protests before the election", ProposedBy: alice.ID},
	} {
		if err := s.ProposeRating(ctx, &p); err != nil {
			t.Fatalf("proposal %d: %v", i, err)
		}
		ids = append(ids, p.ID)
	}
	if _, err := s.ApproveRatingProposal(ctx, ids[1], reviewer.ID, "agreed"); err != nil {
		t.Fatal(err)
	}
	list := func(q civicmon.ProposalQuery) (string, int) {
		t.Helper()
		ps, total, err := s.ArchiveRatingProposals(ctx, q)
		if err != nil {
			t.Fatalf("ArchiveRatingProposals(%+v): %v", q, err)
		}
		out := ""
		for _, p := range ps {
			for i, id := range ids {
				if p.ID == id {
					out += fmt.Sprint(i + 1)
				}
			}
		}
		return out, total
	}
	for _, c := range []struct {
		name  string
		q     civicmon.ProposalQuery
		want  string
		total int
	}{
		{"newest proposed first", civicmon.ProposalQuery{}, "321", 3},
		{"pending", civicmon.ProposalQuery{Statuses: []string{civicmon.ProposalPending}}, "31", 2},
		{"approved", civicmon.ProposalQuery{Statuses: []string{civicmon.ProposalApproved}}, "2", 1},
		{"country", civicmon.ProposalQuery{CountryCode: "KZ", Sort: "effective"}, "13", 2},
		{"proposer", civicmon.ProposalQuery{ProposedBy: alice.ID}, "3", 1},
		{"effective dates", civicmon.ProposalQuery{Since: civicmon.MustDate("2020-01-01"), Until: civicmon.MustDate("2022-01-01")}, "2", 1},
		{"text in the rationale", civicmon.ProposalQuery{Text: "crackdown"}, "1", 1},
		{"bytes that are not UTF-8", civicmon.ProposalQuery{Text: "\xffagreed"}, "2", 1},
		{"text in the decision note", civicmon.ProposalQuery{Text: "AGREED"}, "2", 1},
		{"by country", civicmon.ProposalQuery{Sort: "country"}, "213", 3},
		{"oldest first, a page", civicmon.ProposalQuery{Reverse: true, Limit: 1, Offset: 1}, "2", 3},
	} {
		t.Run("proposals/"+c.name, func(t *testing.T) {
			if got, total := list(c.q); got != c.want || total != c.total {
				t.Fatalf("got %q of %d, want %q of %d", got, total, c.want, c.total)
			}
		})
	}
	_, _, err := s.ArchiveRatingProposals(ctx, civicmon.ProposalQuery{Statuses: []string{"maybe"}})
	wantFieldError(t, err, "proposals.status", `"maybe" is not a proposal status`)
}
