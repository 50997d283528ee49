package civicmon

import (
	"context"
	"strings"
)

type auditActionKey struct{}

// WithAuditAction names the change a store write makes, for its audit entry
// and revision: "update.publish" rather than "update.save", so that the
// history says what happened. Editorial sets it; a write without it is
// named by the store ("update.save").
func WithAuditAction(ctx context.Context, action string) context.Context {
	return context.WithValue(ctx, auditActionKey{}, action)
}

// AuditActionFrom returns the change ctx names, or def.
func AuditActionFrom(ctx context.Context, def string) string {
	if a, _ := ctx.Value(auditActionKey{}).(string); a != "" {
		return a
	}
	return def
}

// Audit actions of the workflow steps on an update, as Apply records them.
const (
	AuditUpdateCreate  = "update.create"
	AuditUpdateSave    = "update.save"
	AuditUpdateAssign  = "update.assign"
	AuditUpdateSetDate = "update.set_date"
)

// AuditActionOf is the audit action of a workflow step: "update.save" for
// a save, "update.publish" for a publish…
func AuditActionOf(a Action) string { return "update." + string(a) }

// Assign makes the account authorID the author of the update: an editor's
// step for drafts that came from an import without one, or that change
// hands. The actor needs updates:edit_any; the author must be an account
// that writes updates (updates:create) and is not disabled. Audited as
// "update.assign".
func (e *Editorial) Assign(ctx context.Context, actor *User, id, authorID int64) error {
	if err := require(actor, PermUpdatesEditAny, "assign updates to an author"); err != nil {
		return err
	}
	ctx = WithAuditAction(WithActor(ctx, actor.ID), AuditUpdateAssign)
	return e.Store.InTx(ctx, func(tx Store) error {
		author, err := tx.UserByID(ctx, authorID)
		if err != nil {
			return err
		}
		if author.Disabled || !author.Role.Can(PermUpdatesCreate) {
			return &ValidationError{Fields: []FieldError{{Field: "author",
				Message: author.Name + " cannot write updates: choose an account that can"}}}
		}
		u, err := tx.UpdateByID(ctx, id)
		if err != nil {
			return err
		}
		u.AuthorID = authorID
		return tx.SaveUpdate(ctx, u)
	})
}

// SetPublicationDate gives the update its publication date (the zero Date
// clears it), as an edit would: the actor must be allowed to save the
// update (CanAct). Audited as "update.set_date".
func (e *Editorial) SetPublicationDate(ctx context.Context, actor *User, id int64, d Date) error {
	if err := signedIn(actor); err != nil {
		return err
	}
	ctx = WithAuditAction(WithActor(ctx, actor.ID), AuditUpdateSetDate)
	return e.Store.InTx(ctx, func(tx Store) error {
		u, err := tx.UpdateByID(ctx, id)
		if err != nil {
			return err
		}
		if !CanView(actor, u) {
			return Errorf(EFORBIDDEN, "you may not open this update")
		}
		if err := CanAct(actor, u, ActionSave); err != nil {
			return err
		}
		u.PublishedOn = d
		return tx.SaveUpdate(ctx, u)
	})
}

// ApplyStored takes the action on the update as stored, its content
// unchanged: the archive's bulk steps. It is Act (no comment) inside one
// transaction with the read, so the content saved is the content checked
// and the step notifies (Notify) as the same step on the form does.
func (e *Editorial) ApplyStored(ctx context.Context, actor *User, action Action, id int64) (*Update, error) {
	var out *Update
	err := e.Store.InTx(ctx, func(tx Store) error {
		u, err := tx.UpdateByID(ctx, id)
		if err != nil {
			return err
		}
		inner := &Editorial{Store: tx, Now: e.Now, Notify: e.Notify}
		if err := inner.Act(ctx, actor, action, u, ""); err != nil {
			return err
		}
		out = u
		return nil
	})
	return out, err
}

// Event is an editorial step people are notified of.
type Event struct {
	Kind     string // NotifySubmitted, NotifyChangesRequested, NotifyPublished, NotifyComment, NotifyRatings
	Actor    *User
	Update   *Update         // for the steps on an update
	Proposal *RatingProposal // for rating changes
	Comment  string          // what the actor wrote with the step, if anything
}

// eventKinds are the workflow steps that notify, by the kind they notify.
var eventKinds = map[Action]string{
	ActionSubmit:         NotifySubmitted,
	ActionRequestChanges: NotifyChangesRequested,
	ActionPublish:        NotifyPublished,
}

// Act takes the action on an update as Apply does and, in the same
// transaction, adds the actor's comment to the update's conversation (when
// there is one: it names the step) and notifies of the step (Notify).
// Nothing is stored, and no mail enqueued, when any of it fails.
func (e *Editorial) Act(ctx context.Context, actor *User, action Action, u *Update, comment string) error {
	comment = strings.TrimSpace(comment)
	return e.Store.InTx(ctx, func(tx Store) error {
		inner := &Editorial{Store: tx, Now: e.Now}
		if err := inner.Apply(ctx, actor, action, u); err != nil {
			return err
		}
		actx := WithActor(ctx, actor.ID)
		if comment != "" {
			c := Comment{UpdateID: u.ID, AuthorID: actor.ID, Body: comment}
			if action != ActionSave {
				c.Action = action
			}
			if err := tx.AddComment(actx, &c); err != nil {
				return err
			}
		}
		if e.Notify == nil {
			return nil
		}
		kind, ok := eventKinds[action]
		if !ok && comment != "" {
			kind, ok = NotifyComment, true
		}
		if !ok {
			return nil
		}
		return e.Notify(actx, tx, Event{Kind: kind, Actor: actor, Update: u, Comment: comment})
	})
}

// AddComment adds the actor's comment to an update's conversation: anyone
// who may open the update (CanView) may talk about it. Notifies the others
// in the conversation (NotifyComment).
func (e *Editorial) AddComment(ctx context.Context, actor *User, updateID int64, body string) (*Comment, error) {
	if err := signedIn(actor); err != nil {
		return nil, err
	}
	ctx = WithActor(ctx, actor.ID)
	c := &Comment{UpdateID: updateID, AuthorID: actor.ID, Body: body}
	err := e.Store.InTx(ctx, func(tx Store) error {
		u, err := tx.UpdateByID(ctx, updateID)
		if err != nil {
			return err
		}
		if !CanView(actor, u) {
			return Errorf(EFORBIDDEN, "you may not open this update")
		}
		if err := tx.AddComment(ctx, c); err != nil {
			return err
		}
		if e.Notify == nil {
			return nil
		}
		return e.Notify(ctx, tx, Event{Kind: NotifyComment, Actor: actor, Update: u, Comment: c.Body})
	})
	return c, err
}
