package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/storetest"
)

var ctx = context.Background()

func bulkUpdates(prefix string, n int) []civicmon.Update {
	us := make([]civicmon.Update, n)
	for i := range us {
		u := civicmon.Update{
			UID: fmt.Sprintf("%s%016d", prefix, i), Slug: fmt.Sprintf("%s-%d", prefix, i), CountryCode: "KZ",
			Title: fmt.Sprintf("Bulk %d", i), Summary: "Summary", Body: strings.Repeat("Body text. ", i%50),
			Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2020-01-01").AddDays(i),
			Freedoms: civicmon.NewFreedomSet(civicmon.Expression), Partner: "Partner",
			Sources: []civicmon.Source{{URL: "https://example.org/" + fmt.Sprint(i), Title: "Source"}},
		}
		if i%2 == 0 {
			u.Violations = []string{"censorship", "internet-shutdown"}
		}
		for j := range i % 4 {
			u.Incidents = append(u.Incidents, civicmon.Incident{Freedom: civicmon.Expression, Violation: "censorship",
				Target: "journalists", PeopleAffected: j, Place: "Almaty", Description: fmt.Sprintf("incident %d.%d", i, j)})
		}
		us[i] = u
	}
	return us
}

func kazakhstan(t *testing.T, s civicmon.Store) {
	t.Helper()
	c := civicmon.Country{Code: "KZ", Code3: "KAZ", Name: "Kazakhstan", Slug: "kazakhstan", Region: civicmon.RegionEuropeCentralAsia}
	if err := s.PutCountry(ctx, &c); err != nil {
		t.Fatal(err)
	}
}

func TestInsertUpdatesBulk(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			s := db.Store()
			kazakhstan(t, s)
			v0, _ := db.DataVersion(ctx)
			c0 := db.Commits()
			// More rows than one multi-row INSERT holds, and a short last one.
			us := bulkUpdates("bulk", 300)
			if err := s.InsertUpdates(civicmon.WithActor(ctx, 7), us); err != nil {
				t.Fatal(err)
			}
			// Like every write: a new data version, a commit, one audit entry.
			if v1, _ := db.DataVersion(ctx); v1 <= v0 || db.Commits() != c0+1 {
				t.Fatalf("data version %d → %d, commits %d → %d", v0, v1, c0, db.Commits())
			}
			var audit []civicmon.AuditEntry
			s.AuditLog(ctx, func(e *civicmon.AuditEntry) error { audit = append(audit, *e); return nil })
			if last := audit[len(audit)-1]; last.Action != "update.bulk_insert" || last.ActorID != 7 || last.EntityID != us[0].UID ||
				!strings.HasPrefix(last.Detail, "300 updates") {
				t.Fatalf("last audit entry %+v, want the batch's", last)
			}
			incidents := 0
			for i := range us {
				u := &us[i]
				if u.ID == 0 || (i > 0 && u.ID <= us[i-1].ID) {
					t.Fatalf("update %d: id %d after %d", i, u.ID, us[max(i-1, 0)].ID)
				}
				got, err := s.UpdateByUID(ctx, u.UID)
				if err != nil {
					t.Fatal(err)
				}
				if got.ID != u.ID || got.Slug != u.Slug || got.Body != u.Body || len(got.Incidents) != len(u.Incidents) ||
					fmt.Sprint(got.Violations) != fmt.Sprint(u.Violations) || fmt.Sprint(got.Sources) != fmt.Sprint(u.Sources) ||
					!got.PublishedOn.Equal(u.PublishedOn) || got.CreatedAt.IsZero() {
					t.Fatalf("update %d read back as %+v, stored %+v", i, got, u)
				}
				for j, in := range got.Incidents {
					if in.ID == 0 || in.ID != u.Incidents[j].ID || in.UpdateID != u.ID || in.Description != u.Incidents[j].Description {
						t.Fatalf("update %d incident %d read back as %+v, stored %+v", i, j, in, u.Incidents[j])
					}
				}
				incidents += len(u.Incidents)
			}
			if _, n, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{Violation: "internet-shutdown"}); n != 150 {
				t.Fatalf("%d updates tagged internet-shutdown, want 150", n)
			}
			// The single-row paths still find free ids after the bulk path.
			one := civicmon.Update{CountryCode: "KZ", Title: "After the bulk",
				Incidents: []civicmon.Incident{{Freedom: civicmon.Assembly, Violation: "excessive-force"}}}
			if err := s.CreateUpdate(ctx, &one); err != nil {
				t.Fatal(err)
			}
			if one.ID <= us[len(us)-1].ID {
				t.Fatalf("CreateUpdate id %d, bulk ids up to %d", one.ID, us[len(us)-1].ID)
			}
			// And the bulk path after them.
			more := bulkUpdates("more", 5)
			if err := s.InsertUpdates(ctx, more); err != nil {
				t.Fatal(err)
			}
			if more[0].ID <= one.ID || more[0].Incidents != nil && more[1].Incidents[0].ID <= one.Incidents[0].ID {
				t.Fatalf("bulk ids %d (incident %d) after CreateUpdate's %d (%d)", more[0].ID, more[1].Incidents[0].ID, one.ID, one.Incidents[0].ID)
			}
			if e.Name == "sqlite" {
				var fk bool
				if err := db.WriteDB().QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || !fk {
					t.Fatalf("foreign_keys after InsertUpdates = %v, %v; want on", fk, err)
				}
			}
		})
	}
}

func TestInsertUpdatesConflictsAndAuthors(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t).Store()
			kazakhstan(t, s)
			stored := civicmon.Update{Slug: "bulk-150", CountryCode: "KZ", Title: "Stored"}
			if err := s.CreateUpdate(ctx, &stored); err != nil {
				t.Fatal(err)
			}
			err := s.InsertUpdates(ctx, bulkUpdates("bulk", 200))
			if civicmon.ErrorCode(err) != civicmon.ECONFLICT || !strings.Contains(err.Error(), "update 151 of 200") ||
				!strings.Contains(err.Error(), `slug "bulk-150"`) {
				t.Fatalf("error %v, want a conflict naming update 151 and its slug", err)
			}
			us := bulkUpdates("uid", 3)
			us[2].UID = stored.UID
			err = s.InsertUpdates(ctx, us)
			if civicmon.ErrorCode(err) != civicmon.ECONFLICT || !strings.Contains(err.Error(), "update 3 of 3") {
				t.Fatalf("error %v, want a conflict naming update 3", err)
			}
			if _, n, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{}); n != 1 {
				t.Fatalf("failed batches kept %d updates", n-1)
			}

			u := civicmon.User{Email: "a@example.org", Name: "A", Role: civicmon.RoleResearcher, PasswordHash: "x"}
			if err := s.CreateUser(ctx, &u); err != nil {
				t.Fatal(err)
			}
			us = bulkUpdates("author", 3)
			us[0].AuthorID = u.ID
			us[1].AuthorID = u.ID + 100
			err = s.InsertUpdates(ctx, us)
			var ve *civicmon.ValidationError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), "update 2 of 3") || !strings.Contains(err.Error(), "author") {
				t.Fatalf("error %v, want a validation error naming update 2 and its author", err)
			}
			us[1].AuthorID = 0
			if err := s.InsertUpdates(ctx, us); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestInsertUpdatesInTx(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t).Store()
			kazakhstan(t, s)
			boom := errors.New("boom")
			err := s.InTx(ctx, func(tx civicmon.Store) error {
				if err := tx.InsertUpdates(ctx, bulkUpdates("tx", 70)); err != nil {
					return err
				}
				if _, n, _ := tx.FindUpdates(ctx, civicmon.UpdateFilter{}); n != 70 {
					t.Errorf("inside the transaction: %d updates, want 70", n)
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatal(err)
			}
			if _, n, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{}); n != 0 {
				t.Fatalf("rolled back transaction kept %d updates", n)
			}
		})
	}
}

func TestBulkLoad(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			s := db.Store()
			kazakhstan(t, s)
			calls := 0
			err := s.BulkLoad(ctx, func(committed func() error) error {
				for k := range 5 {
					if err := s.InsertUpdates(ctx, bulkUpdates(fmt.Sprintf("load%d", k), 100)); err != nil {
						return err
					}
					if err := committed(); err != nil {
						return err
					}
					calls++
				}
				return nil
			})
			if err != nil || calls != 5 {
				t.Fatalf("BulkLoad: %v after %d batches", err, calls)
			}
			if _, n, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{}); n != 500 {
				t.Fatalf("%d updates, want 500", n)
			}
			boom := errors.New("boom")
			if err := s.BulkLoad(ctx, func(func() error) error { return boom }); !errors.Is(err, boom) {
				t.Fatalf("BulkLoad error %v, want boom", err)
			}
			if e.Name == "sqlite" {
				var auto int
				if err := db.WriteDB().QueryRow(`PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != 1000 {
					t.Fatalf("wal_autocheckpoint after BulkLoad = %d, %v; want 1000 again", auto, err)
				}
			}
		})
	}
}

func TestInsertUpdatesInBulkTx(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			s := db.Store()
			kazakhstan(t, s)
			stored := civicmon.Update{Slug: "bulk-150", CountryCode: "KZ", Title: "Stored"}
			if err := s.CreateUpdate(ctx, &stored); err != nil {
				t.Fatal(err)
			}
			// A clash in the middle of a multi-row INSERT: inside InBulkTx
			// SQLite keeps the rows before it, which must not be taken
			// for what it clashed with.
			err := s.InBulkTx(ctx, func(tx civicmon.Store) error {
				if err := tx.InsertUpdates(ctx, bulkUpdates("first", 100)); err != nil {
					return err
				}
				return tx.InsertUpdates(ctx, bulkUpdates("bulk", 200))
			})
			if civicmon.ErrorCode(err) != civicmon.ECONFLICT || !strings.Contains(err.Error(), "update 151 of 200") ||
				!strings.Contains(err.Error(), `slug "bulk-150"`) {
				t.Fatalf("error %v, want a conflict naming update 151 and its slug", err)
			}
			if _, n, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{}); n != 1 {
				t.Fatalf("failed transaction kept %d updates", n-1)
			}
			// Several batches in one transaction, as an import stores them;
			// they are found, incidents and all, and by search.
			var batches [][]civicmon.Update
			err = s.InBulkTx(ctx, func(tx civicmon.Store) error {
				for k := range 3 {
					us := bulkUpdates(fmt.Sprintf("batch%d", k), 150)
					if err := tx.InsertUpdates(ctx, us); err != nil {
						return err
					}
					batches = append(batches, us)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, us := range batches {
				for i := range us {
					got, err := s.UpdateByUID(ctx, us[i].UID)
					if err != nil {
						t.Fatal(err)
					}
					if got.ID != us[i].ID || len(got.Incidents) != len(us[i].Incidents) {
						t.Fatalf("%s read back with id %d and %d incidents, stored as %d with %d", us[i].UID, got.ID,
							len(got.Incidents), us[i].ID, len(us[i].Incidents))
					}
					for j, in := range got.Incidents {
						if in.ID != us[i].Incidents[j].ID || in.Description != us[i].Incidents[j].Description {
							t.Fatalf("%s incident %d read back as %+v, stored %+v", us[i].UID, j, in, us[i].Incidents[j])
						}
					}
				}
			}
			res, err := s.SearchUpdates(ctx, civicmon.SearchQuery{Text: `"bulk 149"`})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 3 {
				t.Fatalf(`"bulk 149" found %d updates, want the 3 of the batches`, res.Total)
			}
			if e.Name == "sqlite" {
				var fk bool
				if err := db.WriteDB().QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || !fk {
					t.Fatalf("foreign_keys after InBulkTx = %v, %v; want on", fk, err)
				}
			}
		})
	}
}
