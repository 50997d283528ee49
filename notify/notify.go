// Package notify writes the notification mail of editorial steps — an
// update submitted, changes requested, an update published, a comment, a
// rating change proposed or decided — and enqueues it in the store's
// outbox, in the transaction of the step (civicmon.Editorial.Notify), for
// the outbox's worker to send. Each account may turn each kind off, or
// have them sent to another address (civicmon.NotificationSettings).
//
// A mail names the update or the country and who took the step, and
// carries the comment that came with it: it goes only to people who may
// open the update in the workspace (its author, those who review), never
// to a list.
package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/civicmon/civicmon"
)

// Notifier composes and enqueues notification mail.
type Notifier struct {
	// BaseURL is the site's address, for the links in the mail
	// ("https://monitor.example.org").
	BaseURL string
}

// Kind is the outbox kind of every notification mail.
const Kind = "notification"

// Notify enqueues the mail of one step to everyone it concerns but the
// person who took it, as each one's settings allow.
func (n *Notifier) Notify(ctx context.Context, tx civicmon.Store, ev civicmon.Event) error {
	recipients, err := n.recipients(ctx, tx, ev)
	if err != nil {
		return err
	}
	subject, body := n.compose(ev)
	for _, u := range recipients {
		set, err := tx.NotificationSettings(ctx, u.ID)
		if err != nil {
			return err
		}
		if !set.Wants(ev.Kind) {
			continue
		}
		to := u.Email
		if set.Address != "" {
			to = set.Address
		}
		m := civicmon.OutboxMail{Kind: Kind, To: to, Subject: subject,
			Body: body + n.footer(ev.Kind)}
		if err := tx.EnqueueMail(ctx, &m); err != nil {
			return err
		}
	}
	return nil
}

// recipients are the accounts a step concerns, without the actor, the
// disabled and the API tokens' service accounts.
func (n *Notifier) recipients(ctx context.Context, tx civicmon.Store, ev civicmon.Event) ([]civicmon.User, error) {
	var ids []int64
	var byPerm civicmon.Permission
	switch ev.Kind {
	case civicmon.NotifySubmitted:
		byPerm = civicmon.PermUpdatesPublish
	case civicmon.NotifyChangesRequested, civicmon.NotifyPublished:
		ids = append(ids, ev.Update.AuthorID)
	case civicmon.NotifyComment:
		// The author and everyone who took part in the conversation.
		ids = append(ids, ev.Update.AuthorID)
		cs, err := tx.Comments(ctx, ev.Update.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			ids = append(ids, c.AuthorID)
		}
	case civicmon.NotifyRatings:
		if ev.Proposal.Status == civicmon.ProposalPending {
			byPerm = civicmon.PermRatingsApprove
		} else {
			ids = append(ids, ev.Proposal.ProposedBy)
		}
	default:
		return nil, fmt.Errorf("notify: unknown kind %q", ev.Kind)
	}
	var out []civicmon.User
	add := func(u *civicmon.User) {
		if u.ID == ev.Actor.ID || u.Disabled || strings.HasSuffix(u.Email, "@api-tokens.invalid") ||
			slices.ContainsFunc(out, func(x civicmon.User) bool { return x.ID == u.ID }) {
			return
		}
		out = append(out, *u)
	}
	if byPerm != "" {
		users, err := tx.Users(ctx)
		if err != nil {
			return nil, err
		}
		for i := range users {
			if users[i].Role.Can(byPerm) {
				add(&users[i])
			}
		}
	}
	for _, id := range ids {
		if id == 0 {
			continue
		}
		u, err := tx.UserByID(ctx, id)
		if civicmon.ErrorCode(err) == civicmon.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		add(u)
	}
	return out, nil
}

// oneLine keeps a value fit for a subject line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:119]) + "…"
	}
	return s
}

func (n *Notifier) link(path string) string { return strings.TrimRight(n.BaseURL, "/") + path }

// compose writes the subject and body of a step's mail.
func (n *Notifier) compose(ev civicmon.Event) (subject, body string) {
	who := ev.Actor.Name
	var b strings.Builder
	if ev.Kind == civicmon.NotifyRatings {
		p := ev.Proposal
		switch p.Status {
		case civicmon.ProposalPending:
			subject = "Rating change to approve: " + p.CountryCode
			fmt.Fprintf(&b, "%s proposes to rate %s %s from %s.\n\nWhy: %s\n", who, p.CountryCode, p.Category, p.EffectiveDate, p.Rationale)
		case civicmon.ProposalApproved:
			subject = "Rating change approved: " + p.CountryCode
			fmt.Fprintf(&b, "%s approved your proposal to rate %s %s from %s.\n", who, p.CountryCode, p.Category, p.EffectiveDate)
		default:
			subject = "Rating change " + p.Status + ": " + p.CountryCode
			fmt.Fprintf(&b, "%s %s your proposal to rate %s %s from %s.\n", who, p.Status, p.CountryCode, p.Category, p.EffectiveDate)
		}
		if ev.Comment != "" && p.Status != civicmon.ProposalPending {
			fmt.Fprintf(&b, "\n%s wrote:\n\n%s\n", who, ev.Comment)
		}
		fmt.Fprintf(&b, "\nOpen the rating changes: %s\n", n.link("/admin/ratings"))
		return oneLine(subject), b.String()
	}
	u := ev.Update
	title := oneLine(u.Title)
	switch ev.Kind {
	case civicmon.NotifySubmitted:
		subject = "To review: " + title
		fmt.Fprintf(&b, "%s sent \"%s\" for review.\n", who, u.Title)
	case civicmon.NotifyChangesRequested:
		subject = "Changes requested: " + title
		fmt.Fprintf(&b, "%s asks for changes to \"%s\".\n", who, u.Title)
	case civicmon.NotifyPublished:
		subject = "Published: " + title
		fmt.Fprintf(&b, "%s published \"%s\". It is now public at %s\n", who, u.Title, n.link("/updates/"+u.Slug))
	case civicmon.NotifyComment:
		subject = "New comment: " + title
		fmt.Fprintf(&b, "%s wrote about \"%s\".\n", who, u.Title)
	}
	if ev.Comment != "" {
		fmt.Fprintf(&b, "\n%s wrote:\n\n%s\n", who, ev.Comment)
	}
	fmt.Fprintf(&b, "\nOpen the update: %s\n", n.link(fmt.Sprintf("/admin/updates/%d", u.ID)))
	return subject, b.String()
}

// footer says why the mail came and where to turn it off.
func (n *Notifier) footer(kind string) string {
	return "\n-- \nYou receive this mail because of your work on civicmon's workspace (" + kind +
		").\nChoose which mails you receive: " + n.link("/admin/account/notifications") + "\n"
}
