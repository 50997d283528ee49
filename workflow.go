package civicmon

// Action is a step of the editorial workflow taken on an update.
type Action string

const (
	ActionSave           Action = "save"
	ActionSubmit         Action = "submit"          // draft → in review
	ActionRequestChanges Action = "request_changes" // in review → draft
	ActionPublish        Action = "publish"         // → published
	ActionUnpublish      Action = "unpublish"       // published → draft
	ActionArchive        Action = "archive"         // → archived
)

// Transition returns the status an update in status from has after the
// action, or an error saying why the action does not apply. Who may take
// which action is a matter of permissions (see CanAct).
func Transition(from Status, a Action) (Status, error) {
	switch a {
	case ActionSave:
		return from, nil
	case ActionSubmit:
		if from == StatusDraft {
			return StatusInReview, nil
		}
	case ActionRequestChanges:
		if from == StatusInReview {
			return StatusDraft, nil
		}
	case ActionPublish:
		if from != StatusPublished {
			return StatusPublished, nil
		}
	case ActionUnpublish:
		if from == StatusPublished {
			return StatusDraft, nil
		}
	case ActionArchive:
		if from != StatusArchived {
			return StatusArchived, nil
		}
	default:
		return from, Errorf(EINVALID, "%q is not an action; allowed: save, submit, request_changes, publish, unpublish, archive", a)
	}
	return from, Errorf(ECONFLICT, "cannot %s an update that is %s", a, from)
}

// CanAct reports whether an account may take the action on the update:
// researchers work on their own drafts and submit them; editors do
// anything; no one else touches updates.
func CanAct(u *User, up *Update, a Action) error {
	own := up.AuthorID != 0 && up.AuthorID == u.ID
	switch a {
	case ActionSave, ActionSubmit:
		if u.Role.Can(PermUpdatesEditAny) {
			return nil
		}
		if u.Role.Can(PermUpdatesCreate) && own && up.Status == StatusDraft {
			return nil
		}
		if u.Role.Can(PermUpdatesCreate) && own {
			return Errorf(EFORBIDDEN, "this update is %s: only an editor can change it now", up.Status)
		}
	case ActionRequestChanges, ActionPublish, ActionUnpublish, ActionArchive:
		if u.Role.Can(PermUpdatesPublish) {
			return nil
		}
	default:
		return Errorf(EINVALID, "%q is not an action", a)
	}
	return Errorf(EFORBIDDEN, "your role (%s) may not %s this update", u.Role, a)
}

// CanView reports whether an account may open an update in the workspace.
func CanView(u *User, up *Update) bool {
	return u.Role.Can(PermUpdatesEditAny) || (u.Role.Can(PermUpdatesCreate) && up.AuthorID == u.ID)
}
