package storetest

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqldb"
)

func testRevisions(t *testing.T, db *sqldb.DB) {
	t.Run("DiffSnapshots", checkDiffSnapshots)
	s := db.Store()
	day := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return day }
	seedCountries(t, s)
	editor := createUser(t, s, "editor@example.org", civicmon.RoleEditor)
	ectx := civicmon.WithActor(ctx, editor.ID)

	revisions := func(entity string, id int64) []civicmon.Revision {
		t.Helper()
		revs, err := s.Revisions(ctx, entity, id)
		if err != nil {
			t.Fatal(err)
		}
		return revs
	}
	corrections := func(id int64) []civicmon.Correction {
		t.Helper()
		cs, err := s.Corrections(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}

	// Create a draft: a revision with the actor and the whole record, private fields too.
	u := sampleUpdate()
	u.Status, u.PublishedOn = civicmon.StatusDraft, civicmon.Date{}
	if err := s.CreateUpdate(ectx, &u); err != nil {
		t.Fatal(err)
	}
	revs := revisions("update", u.ID)
	if len(revs) != 1 || revs[0].Action != "update.create" || revs[0].UserID != editor.ID || revs[0].Entity != "update" ||
		revs[0].EntityID != u.ID || !revs[0].CreatedAt.Equal(day) || revs[0].PublicNote != "" {
		t.Fatalf("revisions after create = %+v", revs)
	}
	var snap civicmon.Update
	if err := json.Unmarshal([]byte(revs[0].Snapshot), &snap); err != nil {
		t.Fatal(err)
	}
	if snap.Title != u.Title || snap.InternalNotes != "private note" || len(snap.Incidents) != 2 ||
		snap.Incidents[0].VictimName != "private victim" || snap.Status != civicmon.StatusDraft {
		t.Fatalf("create snapshot = %+v", snap)
	}

	// A note on an edit of a draft is kept, but is no correction.
	u.Summary = "Over 30 people were detained in Almaty."
	u.CorrectionNote = "Draft wording"
	if err := s.SaveUpdate(ectx, &u); err != nil {
		t.Fatal(err)
	}
	if cs := corrections(u.ID); len(cs) != 0 {
		t.Fatalf("corrections of a draft edit = %+v", cs)
	}

	// Publish, then correct the published text with a public note.
	u.Status, u.PublishedOn, u.CorrectionNote = civicmon.StatusPublished, civicmon.MustDate("2021-02-15"), ""
	if err := s.SaveUpdate(ectx, &u); err != nil {
		t.Fatal(err)
	}
	day = day.AddDate(0, 0, 3)
	u.Title = "Wave of political repression: over 30 detained"
	u.CorrectionNote = "  The number of people detained was corrected.  "
	if err := s.SaveUpdate(ectx, &u); err != nil {
		t.Fatal(err)
	}
	day = day.AddDate(0, 0, 1)
	u.Body += "\n\nA typo fixed."
	u.CorrectionNote = ""
	if err := s.SaveUpdate(ctx, &u); err != nil { // no actor, no note
		t.Fatal(err)
	}
	want := []civicmon.Correction{{Date: civicmon.MustDate("2026-11-29"), Note: "The number of people detained was corrected."}}
	if cs := corrections(u.ID); !reflect.DeepEqual(cs, want) {
		t.Fatalf("corrections = %+v, want %+v", cs, want)
	}
	// The note lives in the revision only, not on the update.
	if got, _ := s.UpdateByID(ctx, u.ID); got.CorrectionNote != "" {
		t.Fatalf("update row returned a correction note: %q", got.CorrectionNote)
	}

	// An edit that fails changes nothing and leaves no revision.
	bad := u
	bad.Title, bad.CorrectionNote = "Never stored", strings.Repeat("x", 2001)
	wantFieldError(t, s.SaveUpdate(ectx, &bad), "update.correction_note", "at most 2000")
	bad.CorrectionNote, bad.CountryCode = "", "ZZ"
	wantFieldError(t, s.SaveUpdate(ectx, &bad), "update.country", "is not a known country code")
	if got, _ := s.UpdateByID(ctx, u.ID); got.Title != u.Title {
		t.Fatalf("a refused edit was stored: %q", got.Title)
	}

	revs = revisions("update", u.ID)
	var actions []string
	for _, r := range revs {
		actions = append(actions, r.Action)
	}
	if strings.Join(actions, " ") != "update.create update.save update.save update.save update.save" {
		t.Fatalf("revision actions = %v", actions)
	}
	if revs[1].PublicNote != "Draft wording" || revs[3].PublicNote != "The number of people detained was corrected." ||
		revs[4].UserID != 0 || revs[3].UserID != editor.ID || revs[0].ID >= revs[1].ID {
		t.Fatalf("revisions = %+v", revs)
	}

	// The diff between two revisions shows the field that changed.
	diff := civicmon.DiffSnapshots(revs[2].Snapshot, revs[3].Snapshot)
	var removed, added, same int
	for _, l := range diff {
		switch {
		case l.Op == '-' && strings.Contains(l.Text, `"Title": "Wave of political repression: witch hunts for activists"`):
			removed++
		case l.Op == '+' && strings.Contains(l.Text, `"Title": "Wave of political repression: over 30 detained"`):
			added++
		case l.Op == ' ' && strings.Contains(l.Text, `"Summary": "Over 30 people were detained in Almaty."`):
			same++
		}
	}
	if removed != 1 || added != 1 || same != 1 {
		t.Fatalf("diff of the title edit:\n%s", formatDiff(diff))
	}

	// Deleting keeps the history, with who deleted.
	if err := s.DeleteUpdate(ectx, u.ID); err != nil {
		t.Fatal(err)
	}
	revs = revisions("update", u.ID)
	if len(revs) != 6 || revs[5].Action != "update.delete" || revs[5].Snapshot != "" || revs[5].UserID != editor.ID {
		t.Fatalf("revisions after delete = %+v", revs)
	}
	for _, l := range civicmon.DiffSnapshots(revs[4].Snapshot, revs[5].Snapshot) {
		if l.Op != '-' {
			t.Fatalf("diff of a deletion has a %q line: %q", l.Op, l.Text)
		}
	}

	// Ratings and watchlist editions keep revisions too.
	r := civicmon.Rating{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2022-06-21"), Score: 35, Rationale: "r"}
	if err := s.AddRating(ectx, &r); err != nil {
		t.Fatal(err)
	}
	if revs := revisions("rating", r.ID); len(revs) != 1 || revs[0].Action != "rating.add" || revs[0].UserID != editor.ID ||
		!strings.Contains(revs[0].Snapshot, `"Category":"repressed"`) {
		t.Fatalf("rating revisions = %+v", revs)
	}
	w := civicmon.WatchlistEdition{PublishedOn: civicmon.MustDate("2022-03-01"), Title: "March 2022",
		Entries: []civicmon.WatchlistEntry{{CountryCode: "KZ", Narrative: "decline"}}}
	if err := s.CreateWatchlistEdition(ectx, &w); err != nil {
		t.Fatal(err)
	}
	if revs := revisions("watchlist", w.ID); len(revs) != 1 || revs[0].Action != "watchlist.create" || !strings.Contains(revs[0].Snapshot, `"decline"`) {
		t.Fatalf("watchlist revisions = %+v", revs)
	}
	if revs := revisions("update", 99999); len(revs) != 0 {
		t.Fatalf("revisions of nothing = %+v", revs)
	}

	// A rolled back write leaves no revision.
	s.InTx(ctx, func(tx civicmon.Store) error {
		r := civicmon.Rating{CountryCode: "CL", EffectiveDate: civicmon.MustDate("2020-12-09"), Category: civicmon.Obstructed}
		tx.AddRating(ctx, &r)
		return errNope
	})
	if h, _ := s.RatingHistory(ctx, "CL"); len(h) != 0 {
		t.Fatal("rolled back rating kept")
	}
	if revs := revisions("rating", r.ID+1); len(revs) != 0 {
		t.Fatalf("rolled back rating kept its revision: %+v", revs)
	}
}

var errNope = errors.New("roll back")

func formatDiff(d []civicmon.DiffLine) string {
	var b strings.Builder
	for _, l := range d {
		b.WriteByte(l.Op)
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

func checkDiffSnapshots(t *testing.T) {
	got := formatDiff(civicmon.DiffSnapshots(`{"a":1,"b":2,"c":[1,2]}`, `{"a":1,"b":3,"c":[1,2],"d":"new"}`))
	want := "" +
		" {\n" +
		`   "a": 1,` + "\n" +
		`-  "b": 2,` + "\n" +
		`+  "b": 3,` + "\n" +
		`   "c": [` + "\n" +
		"     1,\n" +
		"     2\n" +
		"-  ]\n" +
		"+  ],\n" +
		`+  "d": "new"` + "\n" +
		" }\n"
	if got != want {
		t.Fatalf("DiffSnapshots:\n%s\nwant:\n%s", got, want)
	}
	if got := formatDiff(civicmon.DiffSnapshots("", `{"a":1}`)); got != "+{\n+  \"a\": 1\n+}\n" {
		t.Fatalf("diff from nothing:\n%s", got)
	}
	if got := formatDiff(civicmon.DiffSnapshots(`{"a":1}`, `{"a":1}`)); got != " {\n   \"a\": 1\n }\n" {
		t.Fatalf("diff of equal snapshots:\n%s", got)
	}
	if got := civicmon.DiffSnapshots("", ""); len(got) != 0 {
		t.Fatalf("diff of nothing = %+v", got)
	}
	// Text that is not JSON is compared as it is.
	if got := formatDiff(civicmon.DiffSnapshots("a\nb\nc", "a\nc\nd")); got != " a\n-b\n c\n+d\n" {
		t.Fatalf("diff of text:\n%s", got)
	}
}
