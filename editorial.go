package civicmon

import (
	"context"
	"time"
)

// EditorialStore is what Editorial needs of a Store; every Store has it.
// Apply loads, checks and saves an existing update inside InTx, through the
// transaction's UpdateByID and SaveUpdate, so that the status it checks is
// the status it replaces.
type EditorialStore interface {
	InTx(ctx context.Context, fn func(tx Store) error) error
	CreateUpdate(ctx context.Context, u *Update) error
	ProposeRating(ctx context.Context, p *RatingProposal) error
	ApproveRatingProposal(ctx context.Context, id, approverID int64, note string) (*Rating, error)
	RejectRatingProposal(ctx context.Context, id, deciderID int64, note string) error
	CreateWatchlistEdition(ctx context.Context, w *WatchlistEdition) error
	SaveWatchlistEdition(ctx context.Context, w *WatchlistEdition) error
}

// Editorial carries out the editorial operations — who may, which step
// follows, the publication date, the save and its audit entry — in one
// place, for every surface that writes (the workspace, the JSON API).
//
// Each operation checks the actor's permission itself, whatever the caller
// checked before, and runs with the actor in its context (WithActor), so the
// store's audit entries and revisions name them. Errors are the domain's:
// *Error with EFORBIDDEN, ECONFLICT, ENOTFOUND, EINVALID…, and the store's
// *ValidationError, which callers map to statuses with ErrorCode.
type Editorial struct {
	Store EditorialStore
	Now   Clock // time.Now when nil
	// Notify, when set, is told of the steps people are notified of (Act,
	// ProposeRating, DecideRating) inside the step's transaction, so that
	// its mail is enqueued if and only if the step is stored.
	Notify func(ctx context.Context, tx Store, ev Event) error
}

func (e *Editorial) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// TransitionError is Apply's refusal of an action that the update's status
// does not allow, such as publishing a published update. It wraps
// Transition's *Error (ECONFLICT), so ErrorCode and ErrorMessage read it
// as that error; a form finds it with errors.As to show the refusal on the
// action, apart from the store's conflicts (a slug taken), which concern the
// update's fields.
type TransitionError struct {
	From   Status // the update's stored status
	Action Action
	Err    error
}

func (e *TransitionError) Error() string { return e.Err.Error() }
func (e *TransitionError) Unwrap() error { return e.Err }

// Apply takes the action on an update and saves u, the update's edited
// content, in one go:
//
//   - the actor must be allowed to take the action on the update as it is
//     stored (CanAct), and, for an existing one, to open it (CanView):
//     EFORBIDDEN otherwise, EINVALID for an unknown action;
//   - the action must apply to the stored status (Transition): a
//     *TransitionError (ECONFLICT) otherwise;
//   - u takes the next status; when that is published and u has no
//     publication date, u gets today's date;
//   - a new update (u.ID == 0) starts as a draft by the actor: its AuthorID
//     is the actor's, whatever u held; an existing one keeps its stored
//     UID and author;
//   - u is created or saved, which validates it (*ValidationError) and
//     writes the audit entry and revision, naming the actor.
//
// An existing update is loaded, checked and saved in one transaction, so an
// action cannot succeed on a status that changed meanwhile. Nothing is
// stored when Apply fails; u may then hold the status and date it would
// have had. On success u is the update as stored (ID, UID, slug, times).
func (e *Editorial) Apply(ctx context.Context, actor *User, action Action, u *Update) error {
	if err := signedIn(actor); err != nil {
		return err
	}
	ctx = WithActor(ctx, actor.ID)
	if u.ID == 0 {
		// A new update is a draft of its author's until the action moves it.
		next, err := e.step(actor, &Update{Status: StatusDraft, AuthorID: actor.ID}, action)
		if err != nil {
			return err
		}
		u.AuthorID = actor.ID
		e.advance(u, next)
		return e.Store.CreateUpdate(ctx, u)
	}
	return e.Store.InTx(ctx, func(tx Store) error {
		stored, err := tx.UpdateByID(ctx, u.ID)
		if err != nil {
			return err
		}
		if !CanView(actor, stored) {
			return Errorf(EFORBIDDEN, "you may not open this update")
		}
		next, err := e.step(actor, stored, action)
		if err != nil {
			return err
		}
		u.UID, u.AuthorID = stored.UID, stored.AuthorID
		e.advance(u, next)
		return tx.SaveUpdate(WithAuditAction(ctx, AuditActionOf(action)), u)
	})
}

// step checks that the actor may take the action on the stored update and
// that it applies to its status, and returns the status that follows.
func (e *Editorial) step(actor *User, stored *Update, action Action) (Status, error) {
	if err := CanAct(actor, stored, action); err != nil {
		return "", err
	}
	next, err := Transition(stored.Status, action)
	if err != nil {
		return "", &TransitionError{From: stored.Status, Action: action, Err: err}
	}
	return next, nil
}

// advance gives u its next status, and a publication date when it is
// published without one.
func (e *Editorial) advance(u *Update, next Status) {
	u.Status = next
	if next == StatusPublished && u.PublishedOn.IsZero() {
		u.PublishedOn = DateOf(e.now())
	}
}

// ProposeRating stores a rating change proposal by the actor, who needs
// the ratings:propose permission. The proposer is always the actor, so that
// no one proposes in another's name and then approves "someone else's"
// proposal. The proposal is validated (*ValidationError) and audited.
func (e *Editorial) ProposeRating(ctx context.Context, actor *User, p *RatingProposal) error {
	if err := require(actor, PermRatingsPropose, "propose rating changes"); err != nil {
		return err
	}
	p.ProposedBy = actor.ID
	ctx = WithActor(ctx, actor.ID)
	if e.Notify == nil {
		return e.Store.ProposeRating(ctx, p)
	}
	return e.Store.InTx(ctx, func(tx Store) error {
		if err := tx.ProposeRating(ctx, p); err != nil {
			return err
		}
		return e.Notify(ctx, tx, Event{Kind: NotifyRatings, Actor: actor, Proposal: p})
	})
}

// DecideRating approves (creating the rating, which it returns) or rejects
// the pending proposal with the id. The actor needs the ratings:approve
// permission, and the store refuses an approval by the proposer
// (EFORBIDDEN) and a decision on a proposal that is not pending
// (ECONFLICT); a proposer who rejects their own proposal withdraws it.
func (e *Editorial) DecideRating(ctx context.Context, actor *User, id int64, approve bool, note string) (*Rating, error) {
	if err := require(actor, PermRatingsApprove, "approve or reject rating changes"); err != nil {
		return nil, err
	}
	ctx = WithActor(ctx, actor.ID)
	if e.Notify == nil {
		if approve {
			return e.Store.ApproveRatingProposal(ctx, id, actor.ID, note)
		}
		return nil, e.Store.RejectRatingProposal(ctx, id, actor.ID, note)
	}
	var r *Rating
	err := e.Store.InTx(ctx, func(tx Store) error {
		var err error
		if approve {
			r, err = tx.ApproveRatingProposal(ctx, id, actor.ID, note)
		} else {
			err = tx.RejectRatingProposal(ctx, id, actor.ID, note)
		}
		if err != nil {
			return err
		}
		p, err := tx.RatingProposal(ctx, id)
		if err != nil {
			return err
		}
		return e.Notify(ctx, tx, Event{Kind: NotifyRatings, Actor: actor, Proposal: p, Comment: note})
	})
	return r, err
}

// SaveWatchlistEdition creates the edition when its ID is 0 and replaces
// the stored one otherwise (ENOTFOUND when there is none). The actor needs
// the watchlist:manage permission. The edition is validated
// (*ValidationError; ECONFLICT for a date another edition has) and audited.
func (e *Editorial) SaveWatchlistEdition(ctx context.Context, actor *User, w *WatchlistEdition) error {
	if err := require(actor, PermWatchlistManage, "manage the watchlist"); err != nil {
		return err
	}
	ctx = WithActor(ctx, actor.ID)
	if w.ID == 0 {
		return e.Store.CreateWatchlistEdition(ctx, w)
	}
	return e.Store.SaveWatchlistEdition(ctx, w)
}

// signedIn refuses a missing or disabled account.
func signedIn(actor *User) error {
	if actor == nil || actor.ID == 0 {
		return Errorf(EUNAUTHORIZED, "sign in first")
	}
	if actor.Disabled {
		return Errorf(EFORBIDDEN, "this account is disabled")
	}
	return nil
}

// require refuses an account whose role lacks the permission.
func require(actor *User, p Permission, what string) error {
	if err := signedIn(actor); err != nil {
		return err
	}
	if !actor.Role.Can(p) {
		return Errorf(EFORBIDDEN, "your role (%s) may not %s: it needs the permission %s", actor.Role, what, p)
	}
	return nil
}
