package civicmon_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/storetest"
)

// The editorial operations run on a real store: SQLite always, PostgreSQL
// too when CIVICMON_TEST_POSTGRES is set. No context passed to Editorial
// names an actor: the audit entries must name the actor the call was given.

var (
	bg = context.Background()
	// today is the day the editorial clock says it is.
	today = civicmon.MustDate("2026-03-04")
)

// editorialFixture is a store with two countries and one account per role.
type editorialFixture struct {
	s                         civicmon.Store
	ed                        *civicmon.Editorial
	researcher, other, editor *civicmon.User
	reviewer, admin           *civicmon.User
	n                         int
}

func newEditorialFixture(t *testing.T, e storetest.Engine) *editorialFixture {
	t.Helper()
	s := e.Open(t).Store()
	for _, c := range []civicmon.Country{
		{Code: "KZ", Code3: "KAZ", Name: "Kazakhstan", Slug: "kazakhstan", Region: civicmon.RegionEuropeCentralAsia},
		{Code: "CL", Code3: "CHL", Name: "Chile", Slug: "chile", Region: civicmon.RegionAmericas},
	} {
		if err := s.PutCountry(bg, &c); err != nil {
			t.Fatalf("PutCountry(%s): %v", c.Code, err)
		}
	}
	f := &editorialFixture{s: s, ed: &civicmon.Editorial{Store: s, Now: func() time.Time {
		return time.Date(2026, 3, 4, 23, 30, 0, 0, time.UTC)
	}}}
	user := func(name string, role civicmon.Role) *civicmon.User {
		u := &civicmon.User{Email: name + "@example.org", Name: name, Role: role, PasswordHash: "$argon2id$x"}
		if err := s.CreateUser(bg, u); err != nil {
			t.Fatalf("CreateUser(%s): %v", name, err)
		}
		return u
	}
	f.researcher = user("researcher", civicmon.RoleResearcher)
	f.other = user("other", civicmon.RoleResearcher)
	f.editor = user("editor", civicmon.RoleEditor)
	f.reviewer = user("reviewer", civicmon.RoleReviewer)
	f.admin = user("admin", civicmon.RoleAdmin)
	return f
}

// seed stores an update as it would be after earlier steps, straight
// through the store (which does not check the workflow).
func (f *editorialFixture) seed(t *testing.T, author *civicmon.User, status civicmon.Status, published civicmon.Date) *civicmon.Update {
	t.Helper()
	f.n++
	u := &civicmon.Update{CountryCode: "KZ", Title: fmt.Sprintf("Seeded update %d", f.n), Summary: "Summary",
		Body: "Body", Status: status, PublishedOn: published, AuthorID: author.ID, InternalNotes: "source is at risk",
		Incidents: []civicmon.Incident{{Freedom: civicmon.Assembly, Violation: "censorship", Place: "Almaty"}}}
	if err := f.s.CreateUpdate(bg, u); err != nil {
		t.Fatalf("seed update: %v", err)
	}
	return u
}

func (f *editorialFixture) reload(t *testing.T, id int64) *civicmon.Update {
	t.Helper()
	u, err := f.s.UpdateByID(bg, id)
	if err != nil {
		t.Fatalf("UpdateByID(%d): %v", id, err)
	}
	return u
}

func (f *editorialFixture) audit(t *testing.T) []civicmon.AuditEntry {
	t.Helper()
	var out []civicmon.AuditEntry
	if err := f.s.AuditLog(bg, func(e *civicmon.AuditEntry) error { out = append(out, *e); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// wantAudited checks that the operation added audit entries, every one
// naming the actor, the last for the action (an approval adds the rating's
// entry, then the proposal's).
func (f *editorialFixture) wantAudited(t *testing.T, before int, actor *civicmon.User, action, entityID string) {
	t.Helper()
	log := f.audit(t)[before:]
	if len(log) == 0 {
		t.Fatalf("no audit entry for %s", action)
	}
	for _, e := range log {
		if e.ActorID != actor.ID {
			t.Errorf("audit entry %d (%s) names actor %d, want %d (%s)", e.ID, e.Action, e.ActorID, actor.ID, actor.Role)
		}
	}
	if e := log[len(log)-1]; e.Action != action || (entityID != "" && e.EntityID != entityID) {
		t.Errorf("last audit entry = %s %s %s; want %s %s", e.Action, e.Entity, e.EntityID, action, entityID)
	}
}

func (f *editorialFixture) wantNotAudited(t *testing.T, before int) {
	t.Helper()
	if log := f.audit(t); len(log) != before {
		t.Fatalf("a refused operation wrote %d audit entries: %+v", len(log)-before, log[before:])
	}
}

func wantErrCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := civicmon.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func forEngine(t *testing.T, fn func(t *testing.T, e storetest.Engine)) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}

// TestApplyExisting takes every action, by every role, on a stored update,
// and checks what was stored: the edit and the new status on success,
// nothing at all on a refusal.
func TestApplyExisting(t *testing.T) {
	forEngine(t, func(t *testing.T, e storetest.Engine) {
		f := newEditorialFixture(t, e)
		const (
			draft     = civicmon.StatusDraft
			inReview  = civicmon.StatusInReview
			published = civicmon.StatusPublished
			archived  = civicmon.StatusArchived
		)
		ok := ""
		for _, c := range []struct {
			actor    *civicmon.User
			author   *civicmon.User
			from     civicmon.Status
			action   civicmon.Action
			wantCode string
			want     civicmon.Status
		}{
			// A researcher works on their own drafts and submits them.
			{f.researcher, f.researcher, draft, civicmon.ActionSave, ok, draft},
			{f.researcher, f.researcher, draft, civicmon.ActionSubmit, ok, inReview},
			{f.researcher, f.researcher, draft, civicmon.ActionPublish, civicmon.EFORBIDDEN, ""},
			{f.researcher, f.researcher, draft, civicmon.ActionArchive, civicmon.EFORBIDDEN, ""},
			{f.researcher, f.researcher, inReview, civicmon.ActionSave, civicmon.EFORBIDDEN, ""},
			{f.researcher, f.researcher, inReview, civicmon.ActionRequestChanges, civicmon.EFORBIDDEN, ""},
			{f.researcher, f.researcher, published, civicmon.ActionSave, civicmon.EFORBIDDEN, ""},
			{f.researcher, f.researcher, published, civicmon.ActionUnpublish, civicmon.EFORBIDDEN, ""},
			// …and cannot touch another's.
			{f.researcher, f.other, draft, civicmon.ActionSave, civicmon.EFORBIDDEN, ""},
			{f.researcher, f.other, draft, civicmon.ActionSubmit, civicmon.EFORBIDDEN, ""},
			// An editor takes every step on anyone's update.
			{f.editor, f.researcher, draft, civicmon.ActionSave, ok, draft},
			{f.editor, f.researcher, draft, civicmon.ActionSubmit, ok, inReview},
			{f.editor, f.researcher, draft, civicmon.ActionPublish, ok, published},
			{f.editor, f.researcher, inReview, civicmon.ActionRequestChanges, ok, draft},
			{f.editor, f.researcher, inReview, civicmon.ActionPublish, ok, published},
			{f.editor, f.researcher, inReview, civicmon.ActionSave, ok, inReview},
			{f.editor, f.researcher, published, civicmon.ActionSave, ok, published},
			{f.editor, f.researcher, published, civicmon.ActionUnpublish, ok, draft},
			{f.editor, f.researcher, published, civicmon.ActionArchive, ok, archived},
			{f.editor, f.researcher, archived, civicmon.ActionPublish, ok, published},
			{f.admin, f.researcher, inReview, civicmon.ActionPublish, ok, published},
			// …but only the steps the status allows.
			{f.editor, f.researcher, inReview, civicmon.ActionSubmit, civicmon.ECONFLICT, ""},
			{f.editor, f.researcher, draft, civicmon.ActionRequestChanges, civicmon.ECONFLICT, ""},
			{f.editor, f.researcher, published, civicmon.ActionPublish, civicmon.ECONFLICT, ""},
			{f.editor, f.researcher, draft, civicmon.ActionUnpublish, civicmon.ECONFLICT, ""},
			{f.editor, f.researcher, archived, civicmon.ActionArchive, civicmon.ECONFLICT, ""},
			{f.editor, f.researcher, archived, civicmon.ActionSubmit, civicmon.ECONFLICT, ""},
			// A reviewer decides ratings and touches no update.
			{f.reviewer, f.researcher, draft, civicmon.ActionSave, civicmon.EFORBIDDEN, ""},
			{f.reviewer, f.researcher, inReview, civicmon.ActionPublish, civicmon.EFORBIDDEN, ""},
			{f.reviewer, f.researcher, published, civicmon.ActionArchive, civicmon.EFORBIDDEN, ""},
			// Not an action at all.
			{f.editor, f.researcher, draft, "delete", civicmon.EINVALID, ""},
			{f.researcher, f.researcher, draft, "", civicmon.EINVALID, ""},
		} {
			name := fmt.Sprintf("%s on %s's %s update: %s", c.actor.Name, c.author.Name, c.from, c.action)
			t.Run(name, func(t *testing.T) {
				var date civicmon.Date
				if c.from == published || c.from == archived {
					date = civicmon.MustDate("2022-01-05")
				}
				seeded := f.seed(t, c.author, c.from, date)
				edit := *seeded
				edit.Title = "Edited: " + name
				edit.Incidents = append([]civicmon.Incident(nil), seeded.Incidents...)
				edit.Status = archived // the status comes from the action, never from the content
				before := len(f.audit(t))

				err := f.ed.Apply(bg, c.actor, c.action, &edit)

				stored := f.reload(t, seeded.ID)
				if c.wantCode != ok {
					wantErrCode(t, err, c.wantCode)
					var te *civicmon.TransitionError
					if isTransition := errors.As(err, &te); isTransition != (c.wantCode == civicmon.ECONFLICT) {
						t.Errorf("errors.As(%v, *TransitionError) = %v", err, isTransition)
					}
					if stored.Title != seeded.Title || stored.Status != c.from {
						t.Errorf("refused action stored %q, %s; want the update unchanged", stored.Title, stored.Status)
					}
					f.wantNotAudited(t, before)
					return
				}
				if err != nil {
					t.Fatalf("Apply: %v", err)
				}
				if edit.Status != c.want || stored.Status != c.want {
					t.Errorf("status = %s (stored %s), want %s", edit.Status, stored.Status, c.want)
				}
				if stored.Title != edit.Title || stored.AuthorID != c.author.ID || stored.UID != seeded.UID ||
					len(stored.Incidents) != 1 || stored.InternalNotes != seeded.InternalNotes {
					t.Errorf("stored %+v; want the edit, by the same author, incidents kept", stored)
				}
				f.wantAudited(t, before, c.actor, civicmon.AuditActionOf(c.action), seeded.UID) // "update.publish"…
			})
		}
	})
}

// TestApplyNew creates updates: a new update is a draft by its creator
// until the action moves it, whatever the content says.
func TestApplyNew(t *testing.T) {
	forEngine(t, func(t *testing.T, e storetest.Engine) {
		f := newEditorialFixture(t, e)
		for _, c := range []struct {
			actor    *civicmon.User
			action   civicmon.Action
			wantCode string
			want     civicmon.Status
		}{
			{f.researcher, civicmon.ActionSave, "", civicmon.StatusDraft},
			{f.researcher, civicmon.ActionSubmit, "", civicmon.StatusInReview},
			{f.researcher, civicmon.ActionPublish, civicmon.EFORBIDDEN, ""},
			{f.researcher, civicmon.ActionRequestChanges, civicmon.EFORBIDDEN, ""},
			{f.editor, civicmon.ActionSave, "", civicmon.StatusDraft},
			{f.editor, civicmon.ActionPublish, "", civicmon.StatusPublished},
			{f.editor, civicmon.ActionArchive, "", civicmon.StatusArchived},
			{f.editor, civicmon.ActionRequestChanges, civicmon.ECONFLICT, ""},
			{f.editor, civicmon.ActionUnpublish, civicmon.ECONFLICT, ""},
			{f.reviewer, civicmon.ActionSave, civicmon.EFORBIDDEN, ""},
			{f.reviewer, civicmon.ActionSubmit, civicmon.EFORBIDDEN, ""},
			{f.editor, "delete", civicmon.EINVALID, ""},
		} {
			t.Run(fmt.Sprintf("%s %s", c.actor.Name, c.action), func(t *testing.T) {
				// The content claims another author and status: both are ignored.
				u := &civicmon.Update{CountryCode: "CL", Title: fmt.Sprintf("New by %s, %s", c.actor.Name, c.action),
					AuthorID: f.other.ID, Status: civicmon.StatusPublished}
				before := len(f.audit(t))
				err := f.ed.Apply(bg, c.actor, c.action, u)
				if c.wantCode != "" {
					wantErrCode(t, err, c.wantCode)
					if u.ID != 0 {
						t.Errorf("a refused update was stored with id %d", u.ID)
					}
					f.wantNotAudited(t, before)
					return
				}
				if err != nil {
					t.Fatalf("Apply: %v", err)
				}
				stored := f.reload(t, u.ID)
				if stored.Status != c.want || stored.AuthorID != c.actor.ID || stored.UID == "" || stored.Title != u.Title {
					t.Errorf("stored status %s, author %d, uid %q; want %s by %d", stored.Status, stored.AuthorID, stored.UID, c.want, c.actor.ID)
				}
				f.wantAudited(t, before, c.actor, "update.create", stored.UID)
			})
		}
	})
}

// TestApplyPublicationDate: publishing sets the publication date to today
// only when the update has none; no other step sets or clears it.
func TestApplyPublicationDate(t *testing.T) {
	forEngine(t, func(t *testing.T, e storetest.Engine) {
		f := newEditorialFixture(t, e)
		given := civicmon.MustDate("2022-01-05")
		for _, c := range []struct {
			name   string
			from   civicmon.Status // "" for a new update
			date   civicmon.Date   // the edited content's
			action civicmon.Action
			want   civicmon.Date
		}{
			{"publish without a date", civicmon.StatusInReview, civicmon.Date{}, civicmon.ActionPublish, today},
			{"publish with a date", civicmon.StatusInReview, given, civicmon.ActionPublish, given},
			{"republish an archived update", civicmon.StatusArchived, given, civicmon.ActionPublish, given},
			{"create published without a date", "", civicmon.Date{}, civicmon.ActionPublish, today},
			{"create published with a date", "", given, civicmon.ActionPublish, given},
			{"save a published update whose date was emptied", civicmon.StatusPublished, civicmon.Date{}, civicmon.ActionSave, today},
			{"save a published update", civicmon.StatusPublished, given, civicmon.ActionSave, given},
			{"unpublish keeps the date", civicmon.StatusPublished, given, civicmon.ActionUnpublish, given},
			{"submit sets none", civicmon.StatusDraft, civicmon.Date{}, civicmon.ActionSubmit, civicmon.Date{}},
			{"save a draft sets none", civicmon.StatusDraft, civicmon.Date{}, civicmon.ActionSave, civicmon.Date{}},
			{"archive a draft sets none", civicmon.StatusDraft, civicmon.Date{}, civicmon.ActionArchive, civicmon.Date{}},
		} {
			t.Run(c.name, func(t *testing.T) {
				u := &civicmon.Update{CountryCode: "KZ", Title: c.name}
				if c.from != "" {
					var seededDate civicmon.Date
					if c.from == civicmon.StatusPublished || c.from == civicmon.StatusArchived {
						seededDate = given
					}
					u = f.seed(t, f.researcher, c.from, seededDate)
				}
				u.PublishedOn = c.date
				if err := f.ed.Apply(bg, f.editor, c.action, u); err != nil {
					t.Fatalf("Apply: %v", err)
				}
				if got := f.reload(t, u.ID).PublishedOn; got != c.want || u.PublishedOn != c.want {
					t.Errorf("published on %v (stored %v), want %v", u.PublishedOn, got, c.want)
				}
			})
		}
	})
}

// TestApplyErrors: the store's and the lookup's errors come back with their
// codes, apart from the refusals of a step.
func TestApplyErrors(t *testing.T) {
	forEngine(t, func(t *testing.T, e storetest.Engine) {
		f := newEditorialFixture(t, e)
		taken := f.seed(t, f.researcher, civicmon.StatusDraft, civicmon.Date{})
		mine := f.seed(t, f.researcher, civicmon.StatusDraft, civicmon.Date{})

		t.Run("validation", func(t *testing.T) {
			edit := *mine
			edit.Title, edit.CountryCode = "", "kz"
			err := f.ed.Apply(bg, f.researcher, civicmon.ActionSubmit, &edit)
			var ve *civicmon.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) < 2 {
				t.Fatalf("Apply = %v, want a validation error naming title and country", err)
			}
			if got := f.reload(t, mine.ID); got.Status != civicmon.StatusDraft || got.Title != mine.Title {
				t.Errorf("an invalid edit changed the update: %s %q", got.Status, got.Title)
			}
		})
		t.Run("slug taken is a conflict, not a step refused", func(t *testing.T) {
			edit := *mine
			edit.Slug = taken.Slug
			err := f.ed.Apply(bg, f.editor, civicmon.ActionSave, &edit)
			wantErrCode(t, err, civicmon.ECONFLICT)
			var te *civicmon.TransitionError
			if errors.As(err, &te) {
				t.Errorf("a store conflict reads as a step refused: %v", err)
			}
		})
		t.Run("step refused", func(t *testing.T) {
			edit := *mine
			err := f.ed.Apply(bg, f.editor, civicmon.ActionUnpublish, &edit)
			var te *civicmon.TransitionError
			var ce *civicmon.Error
			if !errors.As(err, &te) || te.From != civicmon.StatusDraft || te.Action != civicmon.ActionUnpublish ||
				!errors.As(err, &ce) || ce.Code != civicmon.ECONFLICT || civicmon.ErrorMessage(err) != "cannot unpublish an update that is draft" {
				t.Fatalf("Apply = %#v, want a TransitionError wrapping Transition's conflict", err)
			}
		})
		t.Run("no such update", func(t *testing.T) {
			wantErrCode(t, f.ed.Apply(bg, f.editor, civicmon.ActionSave, &civicmon.Update{ID: 987654, CountryCode: "KZ", Title: "x"}),
				civicmon.ENOTFOUND)
		})
		t.Run("identity kept", func(t *testing.T) {
			edit := *mine
			edit.UID, edit.AuthorID = "someone-elses-uid", f.other.ID
			if err := f.ed.Apply(bg, f.editor, civicmon.ActionSave, &edit); err != nil {
				t.Fatal(err)
			}
			if got := f.reload(t, mine.ID); got.UID != mine.UID || got.AuthorID != f.researcher.ID {
				t.Errorf("saved uid %q author %d; want %q by %d", got.UID, got.AuthorID, mine.UID, f.researcher.ID)
			}
		})
		t.Run("no account", func(t *testing.T) {
			wantErrCode(t, f.ed.Apply(bg, nil, civicmon.ActionSave, &civicmon.Update{CountryCode: "KZ", Title: "x"}), civicmon.EUNAUTHORIZED)
		})
		t.Run("disabled account", func(t *testing.T) {
			off := *f.editor
			off.Disabled = true
			edit := *mine
			wantErrCode(t, f.ed.Apply(bg, &off, civicmon.ActionSave, &edit), civicmon.EFORBIDDEN)
		})
		t.Run("correction note reaches the revision", func(t *testing.T) {
			pub := f.seed(t, f.researcher, civicmon.StatusPublished, civicmon.MustDate("2022-01-05"))
			edit := *pub
			edit.Summary, edit.CorrectionNote = "Corrected summary", "The number of detained was wrong."
			if err := f.ed.Apply(bg, f.editor, civicmon.ActionSave, &edit); err != nil {
				t.Fatal(err)
			}
			revs, err := f.s.Revisions(bg, "update", pub.ID)
			if err != nil || len(revs) == 0 {
				t.Fatalf("revisions = %v, %v", revs, err)
			}
			last := revs[len(revs)-1]
			if last.UserID != f.editor.ID || last.PublicNote != edit.CorrectionNote || last.Action != "update.save" {
				t.Errorf("last revision = %+v; want the editor's save with the note", last)
			}
		})
	})
}

// TestApplyRace: two editors publish the same update at once; exactly one
// succeeds, the other is told the update is already published. SQLite
// only: its write transactions are serial (BEGIN IMMEDIATE on one
// connection), so the status Apply checks is the status it replaces. On
// PostgreSQL, at READ COMMITTED, the load in Apply's transaction does not
// lock the row and both would succeed, as both handlers do today: that needs
// the store to lock the row it loads (SELECT … FOR UPDATE).
func TestApplyRace(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		f := newEditorialFixture(t, storetest.SQLite)
		u := f.seed(t, f.researcher, civicmon.StatusInReview, civicmon.Date{})
		errs := make(chan error, 2)
		for _, actor := range []*civicmon.User{f.editor, f.admin} {
			edit := *u
			go func() { errs <- f.ed.Apply(bg, actor, civicmon.ActionPublish, &edit) }()
		}
		var conflicts, oks int
		for range 2 {
			switch err := <-errs; civicmon.ErrorCode(err) {
			case "":
				oks++
			case civicmon.ECONFLICT:
				conflicts++
			default:
				t.Fatalf("Apply: %v", err)
			}
		}
		if oks != 1 || conflicts != 1 {
			t.Fatalf("%d publications succeeded and %d conflicted; want one of each", oks, conflicts)
		}
	})
}

func TestRatingProposals(t *testing.T) {
	forEngine(t, func(t *testing.T, e storetest.Engine) {
		f := newEditorialFixture(t, e)
		n := 0
		propose := func(t *testing.T, by *civicmon.User) *civicmon.RatingProposal {
			t.Helper()
			n++
			p := &civicmon.RatingProposal{CountryCode: "KZ", EffectiveDate: civicmon.NewDate(2020, 1, n), Score: 30,
				Rationale: "Protesters detained"}
			if err := f.ed.ProposeRating(bg, by, p); err != nil {
				t.Fatalf("ProposeRating by %s: %v", by.Role, err)
			}
			return p
		}

		t.Run("propose", func(t *testing.T) {
			for _, c := range []struct {
				actor    *civicmon.User
				wantCode string
			}{
				{f.editor, ""},
				{f.admin, ""},
				{f.researcher, civicmon.EFORBIDDEN},
				{f.reviewer, civicmon.EFORBIDDEN},
			} {
				t.Run(c.actor.Name, func(t *testing.T) {
					n++
					// ProposedBy names someone else: the proposer is the actor all the same.
					p := &civicmon.RatingProposal{CountryCode: "KZ", EffectiveDate: civicmon.NewDate(2021, 1, n), Score: 30,
						Rationale: "Protesters detained", ProposedBy: f.reviewer.ID}
					before := len(f.audit(t))
					err := f.ed.ProposeRating(bg, c.actor, p)
					if c.wantCode != "" {
						wantErrCode(t, err, c.wantCode)
						if p.ID != 0 {
							t.Errorf("refused proposal stored as %d", p.ID)
						}
						f.wantNotAudited(t, before)
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					got, err := f.s.RatingProposal(bg, p.ID)
					if err != nil || got.ProposedBy != c.actor.ID || got.Status != civicmon.ProposalPending {
						t.Fatalf("stored proposal %+v, %v; want pending, by %d", got, err, c.actor.ID)
					}
					f.wantAudited(t, before, c.actor, "rating.propose", fmt.Sprint(p.ID))
				})
			}
			t.Run("invalid", func(t *testing.T) {
				err := f.ed.ProposeRating(bg, f.editor, &civicmon.RatingProposal{CountryCode: "KZ", EffectiveDate: today, Score: 300})
				var ve *civicmon.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("ProposeRating = %v, want a validation error", err)
				}
			})
		})

		t.Run("decide", func(t *testing.T) {
			for _, c := range []struct {
				name     string
				proposer *civicmon.User
				decider  *civicmon.User
				approve  bool
				wantCode string
				want     string // the proposal's status after
			}{
				{"reviewer approves", f.editor, f.reviewer, true, "", civicmon.ProposalApproved},
				{"reviewer rejects", f.editor, f.reviewer, false, "", civicmon.ProposalRejected},
				{"admin approves an editor's", f.editor, f.admin, true, "", civicmon.ProposalApproved},
				{"admin cannot approve their own", f.admin, f.admin, true, civicmon.EFORBIDDEN, civicmon.ProposalPending},
				{"admin withdraws their own", f.admin, f.admin, false, "", civicmon.ProposalWithdrawn},
				{"editor may not approve", f.admin, f.editor, true, civicmon.EFORBIDDEN, civicmon.ProposalPending},
				{"editor may not reject", f.admin, f.editor, false, civicmon.EFORBIDDEN, civicmon.ProposalPending},
				{"editor may not withdraw their own", f.editor, f.editor, false, civicmon.EFORBIDDEN, civicmon.ProposalPending},
				{"researcher may not approve", f.editor, f.researcher, true, civicmon.EFORBIDDEN, civicmon.ProposalPending},
			} {
				t.Run(c.name, func(t *testing.T) {
					p := propose(t, c.proposer)
					before := len(f.audit(t))
					r, err := f.ed.DecideRating(bg, c.decider, p.ID, c.approve, "panel note")
					got, gerr := f.s.RatingProposal(bg, p.ID)
					if gerr != nil {
						t.Fatal(gerr)
					}
					if got.Status != c.want {
						t.Errorf("proposal is %s, want %s", got.Status, c.want)
					}
					if c.wantCode != "" {
						wantErrCode(t, err, c.wantCode)
						if r != nil || got.RatingID != 0 {
							t.Errorf("refused decision made rating %+v", r)
						}
						f.wantNotAudited(t, before)
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					if c.approve != (r != nil) || got.RatingID != 0 != c.approve || (r != nil && r.ID != got.RatingID) {
						t.Errorf("rating %+v, proposal's rating %d; want a rating exactly when approved", r, got.RatingID)
					}
					if got.DecidedBy != c.decider.ID || got.DecisionNote != "panel note" {
						t.Errorf("decided by %d (%q), want %d", got.DecidedBy, got.DecisionNote, c.decider.ID)
					}
					action := map[string]string{civicmon.ProposalApproved: "rating.approve", civicmon.ProposalRejected: "rating.reject",
						civicmon.ProposalWithdrawn: "rating.withdraw"}[c.want]
					f.wantAudited(t, before, c.decider, action, fmt.Sprint(p.ID))
				})
			}
			t.Run("decided twice", func(t *testing.T) {
				p := propose(t, f.editor)
				if _, err := f.ed.DecideRating(bg, f.reviewer, p.ID, false, ""); err != nil {
					t.Fatal(err)
				}
				_, err := f.ed.DecideRating(bg, f.admin, p.ID, true, "")
				wantErrCode(t, err, civicmon.ECONFLICT)
			})
			t.Run("no such proposal", func(t *testing.T) {
				_, err := f.ed.DecideRating(bg, f.reviewer, 987654, true, "")
				wantErrCode(t, err, civicmon.ENOTFOUND)
			})
		})
	})
}

func TestSaveWatchlistEdition(t *testing.T) {
	forEngine(t, func(t *testing.T, e storetest.Engine) {
		f := newEditorialFixture(t, e)
		stored := func(t *testing.T, id int64) *civicmon.WatchlistEdition {
			t.Helper()
			eds, err := f.s.WatchlistEditions(bg)
			if err != nil {
				t.Fatal(err)
			}
			for i := range eds {
				if eds[i].ID == id {
					return &eds[i]
				}
			}
			return nil
		}
		existing := &civicmon.WatchlistEdition{PublishedOn: civicmon.MustDate("2022-03-10"), Title: "March 2022",
			Entries: []civicmon.WatchlistEntry{{CountryCode: "KZ", Narrative: "Protests crushed"}}}
		if err := f.ed.SaveWatchlistEdition(bg, f.editor, existing); err != nil || existing.ID == 0 {
			t.Fatalf("create: %v (id %d)", err, existing.ID)
		}
		n := 0
		for _, c := range []struct {
			actor    *civicmon.User
			create   bool
			wantCode string
		}{
			{f.editor, true, ""},
			{f.editor, false, ""},
			{f.admin, true, ""},
			{f.admin, false, ""},
			{f.researcher, true, civicmon.EFORBIDDEN},
			{f.researcher, false, civicmon.EFORBIDDEN},
			{f.reviewer, true, civicmon.EFORBIDDEN},
			{f.reviewer, false, civicmon.EFORBIDDEN},
		} {
			verb := map[bool]string{true: "creates", false: "saves"}[c.create]
			t.Run(c.actor.Name+" "+verb, func(t *testing.T) {
				n++
				w := &civicmon.WatchlistEdition{PublishedOn: civicmon.NewDate(2023, 1, n), Title: fmt.Sprintf("Edition %d", n),
					Entries: []civicmon.WatchlistEntry{{CountryCode: "CL", Narrative: "Protest policing"}}}
				if !c.create {
					w.ID, w.Version = existing.ID, stored(t, existing.ID).Version
				}
				before := len(f.audit(t))
				prev := *stored(t, existing.ID)
				err := f.ed.SaveWatchlistEdition(bg, c.actor, w)
				if c.wantCode != "" {
					wantErrCode(t, err, c.wantCode)
					if c.create && w.ID != 0 {
						t.Errorf("refused edition stored as %d", w.ID)
					}
					if now := stored(t, existing.ID); now.Title != prev.Title {
						t.Errorf("refused save changed the edition to %q", now.Title)
					}
					f.wantNotAudited(t, before)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got := stored(t, w.ID)
				if got == nil || got.Title != w.Title || !got.Has("CL") || (c.create && w.ID == existing.ID) {
					t.Fatalf("stored %+v; want %+v", got, w)
				}
				f.wantAudited(t, before, c.actor, map[bool]string{true: "watchlist.create", false: "watchlist.save"}[c.create], "")
			})
		}
		t.Run("invalid", func(t *testing.T) {
			err := f.ed.SaveWatchlistEdition(bg, f.editor, &civicmon.WatchlistEdition{Title: ""})
			var ve *civicmon.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("SaveWatchlistEdition = %v, want a validation error", err)
			}
		})
		t.Run("no such edition", func(t *testing.T) {
			wantErrCode(t, f.ed.SaveWatchlistEdition(bg, f.editor, &civicmon.WatchlistEdition{ID: 987654,
				PublishedOn: today, Title: "x"}), civicmon.ENOTFOUND)
		})
	})
}
