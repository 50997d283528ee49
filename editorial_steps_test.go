package civicmon_test

import (
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/storetest"
)

// TestArchiveSteps: the archive's bulk steps — assign an author, set a
// date, publish as stored — check permissions, save through the store with
// the step named in the audit log and the history, and change nothing when
// refused.
func TestArchiveSteps(t *testing.T) {
	forEngine(t, func(t *testing.T, e storetest.Engine) {
		f := newEditorialFixture(t, e)
		u := f.seed(t, f.researcher, civicmon.StatusDraft, civicmon.Date{})

		// Assign: editors only, to an account that writes updates.
		before := len(f.audit(t))
		wantErrCode(t, f.ed.Assign(bg, f.researcher, u.ID, f.other.ID), civicmon.EFORBIDDEN)
		wantErrCode(t, f.ed.Assign(bg, f.editor, u.ID, f.reviewer.ID), civicmon.EINVALID)
		wantErrCode(t, f.ed.Assign(bg, f.editor, u.ID, 999999), civicmon.ENOTFOUND)
		f.wantNotAudited(t, before)
		if err := f.ed.Assign(bg, f.editor, u.ID, f.other.ID); err != nil {
			t.Fatal(err)
		}
		f.wantAudited(t, before, f.editor, civicmon.AuditUpdateAssign, u.UID)
		if got := f.reload(t, u.ID); got.AuthorID != f.other.ID || got.Title != u.Title || len(got.Incidents) != 1 {
			t.Fatalf("after assign: %+v", got)
		}

		// Set a date: whoever may save it; the old author no longer may.
		before = len(f.audit(t))
		wantErrCode(t, f.ed.SetPublicationDate(bg, f.researcher, u.ID, today), civicmon.EFORBIDDEN)
		f.wantNotAudited(t, before)
		day := civicmon.MustDate("2026-01-15")
		if err := f.ed.SetPublicationDate(bg, f.other, u.ID, day); err != nil {
			t.Fatal(err)
		}
		f.wantAudited(t, before, f.other, civicmon.AuditUpdateSetDate, u.UID)
		if got := f.reload(t, u.ID); !got.PublishedOn.Equal(day) || got.Status != civicmon.StatusDraft {
			t.Fatalf("after set date: %+v", got)
		}

		// Publish as stored: the workflow's rules, the date kept.
		before = len(f.audit(t))
		_, err := f.ed.ApplyStored(bg, f.other, civicmon.ActionPublish, u.ID)
		wantErrCode(t, err, civicmon.EFORBIDDEN)
		f.wantNotAudited(t, before)
		got, err := f.ed.ApplyStored(bg, f.editor, civicmon.ActionPublish, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != civicmon.StatusPublished || !got.PublishedOn.Equal(day) || got.AuthorID != f.other.ID {
			t.Fatalf("after publish: %+v", got)
		}
		f.wantAudited(t, before, f.editor, "update.publish", u.UID)
		_, err = f.ed.ApplyStored(bg, f.editor, civicmon.ActionPublish, u.ID)
		wantErrCode(t, err, civicmon.ECONFLICT)

		// The history names each step.
		revs, err := f.s.Revisions(bg, "update", u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, r := range revs {
			actions = append(actions, r.Action)
		}
		if want := "update.create update.assign update.set_date update.publish"; join(actions) != want {
			t.Fatalf("revisions %q, want %q", join(actions), want)
		}
	})
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
