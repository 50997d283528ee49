package civicmon_test

import (
	"testing"

	"github.com/civicmon/civicmon"
)

func TestTransitions(t *testing.T) {
	for _, c := range []struct {
		from civicmon.Status
		a    civicmon.Action
		to   civicmon.Status
		ok   bool
	}{
		{civicmon.StatusDraft, civicmon.ActionSubmit, civicmon.StatusInReview, true},
		{civicmon.StatusInReview, civicmon.ActionSubmit, civicmon.StatusInReview, false},
		{civicmon.StatusInReview, civicmon.ActionRequestChanges, civicmon.StatusDraft, true},
		{civicmon.StatusDraft, civicmon.ActionRequestChanges, civicmon.StatusDraft, false},
		{civicmon.StatusInReview, civicmon.ActionPublish, civicmon.StatusPublished, true},
		{civicmon.StatusPublished, civicmon.ActionPublish, civicmon.StatusPublished, false},
		{civicmon.StatusPublished, civicmon.ActionUnpublish, civicmon.StatusDraft, true},
		{civicmon.StatusPublished, civicmon.ActionArchive, civicmon.StatusArchived, true},
		{civicmon.StatusArchived, civicmon.ActionPublish, civicmon.StatusPublished, true},
		{civicmon.StatusPublished, civicmon.ActionSave, civicmon.StatusPublished, true},
	} {
		got, err := civicmon.Transition(c.from, c.a)
		if (err == nil) != c.ok || got != c.to {
			t.Errorf("%s on %s = %s, %v; want %s, ok=%v", c.a, c.from, got, err, c.to, c.ok)
		}
	}
	if _, err := civicmon.Transition(civicmon.StatusDraft, "delete"); civicmon.ErrorCode(err) != civicmon.EINVALID {
		t.Errorf("unknown action: %v", err)
	}
}

func TestCanAct(t *testing.T) {
	researcher := &civicmon.User{ID: 1, Role: civicmon.RoleResearcher}
	other := &civicmon.User{ID: 2, Role: civicmon.RoleResearcher}
	editor := &civicmon.User{ID: 3, Role: civicmon.RoleEditor}
	reviewer := &civicmon.User{ID: 4, Role: civicmon.RoleReviewer}
	draft := &civicmon.Update{AuthorID: 1, Status: civicmon.StatusDraft}
	inReview := &civicmon.Update{AuthorID: 1, Status: civicmon.StatusInReview}
	for _, c := range []struct {
		u  *civicmon.User
		up *civicmon.Update
		a  civicmon.Action
		ok bool
	}{
		{researcher, draft, civicmon.ActionSave, true},
		{researcher, draft, civicmon.ActionSubmit, true},
		{researcher, draft, civicmon.ActionPublish, false},
		{researcher, inReview, civicmon.ActionSave, false},
		{other, draft, civicmon.ActionSave, false},
		{editor, draft, civicmon.ActionSave, true},
		{editor, inReview, civicmon.ActionPublish, true},
		{reviewer, draft, civicmon.ActionSave, false},
		{reviewer, inReview, civicmon.ActionPublish, false},
	} {
		err := civicmon.CanAct(c.u, c.up, c.a)
		if (err == nil) != c.ok {
			t.Errorf("%s (user %d) %s on %s by %d: %v, want ok=%v", c.u.Role, c.u.ID, c.a, c.up.Status, c.up.AuthorID, err, c.ok)
		}
		if err != nil && civicmon.ErrorCode(err) != civicmon.EFORBIDDEN {
			t.Errorf("refusal code %q, want forbidden", civicmon.ErrorCode(err))
		}
	}
	if civicmon.CanView(other, draft) || !civicmon.CanView(researcher, draft) || !civicmon.CanView(editor, draft) || civicmon.CanView(reviewer, draft) {
		t.Error("CanView wrong")
	}
}
