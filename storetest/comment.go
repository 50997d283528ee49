package storetest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqldb"
)

// testComments: an update's conversation keeps its comments in order with
// their authors and steps, refuses empty ones and unknown updates, is
// audited without its text, and goes with a deleted update.
func testComments(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	tickingClock(db)
	seedCountries(t, s)
	ana := createUser(t, s, "ana@example.org", civicmon.RoleResearcher)
	ed := createUser(t, s, "ed@example.org", civicmon.RoleEditor)
	u := sampleUpdate()
	if err := s.CreateUpdate(ctx, &u); err != nil {
		t.Fatal(err)
	}
	other := sampleUpdate()
	other.UID, other.Slug = "testuid0000000000002", ""
	if err := s.CreateUpdate(ctx, &other); err != nil {
		t.Fatal(err)
	}
	add := func(c civicmon.Comment) civicmon.Comment {
		t.Helper()
		if err := s.AddComment(civicmon.WithActor(ctx, c.AuthorID), &c); err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || c.CreatedAt.IsZero() {
			t.Fatalf("AddComment did not set ID and CreatedAt: %+v", c)
		}
		return c
	}
	first := add(civicmon.Comment{UpdateID: u.ID, AuthorID: ed.ID, Action: civicmon.ActionRequestChanges, Body: "  Please name the source of the figure.  "})
	second := add(civicmon.Comment{UpdateID: u.ID, AuthorID: ana.ID, Body: "Done: it is the prosecutor's statement."})
	add(civicmon.Comment{UpdateID: other.ID, AuthorID: ana.ID, Body: "Another conversation"})
	got, err := s.Comments(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	first.AuthorName, second.AuthorName = ed.Name, ana.Name
	if len(got) != 2 || !got[0].CreatedAt.Equal(first.CreatedAt) {
		t.Fatalf("Comments = %+v", got)
	}
	got[0].CreatedAt, got[1].CreatedAt = first.CreatedAt, second.CreatedAt
	if !reflect.DeepEqual(got, []civicmon.Comment{first, second}) || got[0].Body != "Please name the source of the figure." {
		t.Fatalf("Comments =\n%+v\nwant\n%+v", got, []civicmon.Comment{first, second})
	}

	err = s.AddComment(ctx, &civicmon.Comment{UpdateID: u.ID, AuthorID: ana.ID, Body: "   "})
	wantFieldError(t, err, "comment.body", "is empty")
	err = s.AddComment(ctx, &civicmon.Comment{UpdateID: u.ID, AuthorID: ana.ID, Body: strings.Repeat("x", 20_001)})
	wantFieldError(t, err, "comment.body", "at most 20000")
	wantCode(t, s.AddComment(ctx, &civicmon.Comment{UpdateID: 999999, Body: "x"}), civicmon.ENOTFOUND)

	var audited []civicmon.AuditEntry
	s.AuditLog(ctx, func(e *civicmon.AuditEntry) error {
		if e.Action == "comment.add" {
			audited = append(audited, *e)
		}
		return nil
	})
	if len(audited) != 3 || audited[0].ActorID != ed.ID || audited[0].EntityID != u.UID || strings.Contains(audited[0].Detail, "source") {
		t.Fatalf("audit of comments: %+v", audited)
	}

	if err := s.DeleteUpdate(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Comments(ctx, u.ID); err != nil || len(got) != 0 {
		t.Fatalf("comments of a deleted update: %+v, %v", got, err)
	}
	if got, _ := s.Comments(ctx, other.ID); len(got) != 1 {
		t.Fatalf("the other conversation: %+v", got)
	}

	testNotificationSettings(t, s, ana)
}

func testNotificationSettings(t *testing.T, s *sqldb.Store, ana civicmon.User) {
	n, err := s.NotificationSettings(ctx, ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n.AllOff || len(n.Muted) != 0 || n.Address != "" || !n.Wants(civicmon.NotifyPublished) {
		t.Fatalf("defaults = %+v", n)
	}
	want := civicmon.NotificationSettings{UserID: ana.ID, Muted: []string{civicmon.NotifySubmitted, civicmon.NotifyComment}, Address: " Ana.Secure@Example.org "}
	if err := s.SaveNotificationSettings(ctx, &want); err != nil {
		t.Fatal(err)
	}
	n, _ = s.NotificationSettings(ctx, ana.ID)
	if !reflect.DeepEqual(*n, want) || n.Address != "ana.secure@example.org" || n.Wants(civicmon.NotifyComment) || !n.Wants(civicmon.NotifyPublished) {
		t.Fatalf("saved = %+v, want %+v", n, want)
	}
	want = civicmon.NotificationSettings{UserID: ana.ID, AllOff: true}
	if err := s.SaveNotificationSettings(ctx, &want); err != nil {
		t.Fatal(err)
	}
	if n, _ = s.NotificationSettings(ctx, ana.ID); !n.AllOff || len(n.Muted) != 0 || n.Wants(civicmon.NotifyPublished) {
		t.Fatalf("all off = %+v", n)
	}
	err = s.SaveNotificationSettings(ctx, &civicmon.NotificationSettings{UserID: ana.ID, Muted: []string{"spam"}, Address: "not an address"})
	wantFieldError(t, err, "notifications.muted", `"spam" is not a kind`)
	wantFieldError(t, err, "notifications.address", "is not an e-mail address")
	wantCode(t, s.SaveNotificationSettings(ctx, &civicmon.NotificationSettings{UserID: 999999}), civicmon.ENOTFOUND)
	if n, _ = s.NotificationSettings(ctx, ana.ID); !n.AllOff {
		t.Fatalf("a refused save changed the settings: %+v", n)
	}
}
