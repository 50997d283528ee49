package civicmon

import (
	"context"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Comment is one message of an update's conversation: the researchers and
// editors who work on it talking about it. Private: it never reaches a
// public surface.
type Comment struct {
	ID       int64
	UpdateID int64
	AuthorID int64
	// AuthorName is the author's name as Comments reads it ("" for an
	// account that no longer exists).
	AuthorName string
	CreatedAt  time.Time
	// Action is the workflow step the comment came with ("request_changes",
	// "publish"…), "" for a comment alone.
	Action Action
	Body   string
}

const maxComment = 20_000

// Validate checks that the comment says something, and not too much.
func (c *Comment) Validate() error {
	v := validator{prefix: "comment"}
	c.Body = strings.TrimSpace(c.Body)
	if c.Body == "" {
		v.addf("body", "is empty: write what you want to say")
	} else if n := utf8.RuneCountInString(c.Body); n > maxComment {
		v.addf("body", "is %d characters long; at most %d are allowed", n, maxComment)
	}
	if c.UpdateID == 0 {
		v.addf("update", "is required")
	}
	return v.err()
}

// Comments keeps the conversations of updates.
type Comments interface {
	// AddComment validates and stores c, setting its ID and CreatedAt; the
	// update must exist (ENOTFOUND). Audited without its text.
	AddComment(ctx context.Context, c *Comment) error
	// Comments returns an update's conversation, oldest first.
	Comments(ctx context.Context, updateID int64) ([]Comment, error)
}

// Kinds of notification mail, each of which an account may turn off.
const (
	NotifySubmitted        = "submitted"         // an update was sent for review (to those who review)
	NotifyChangesRequested = "changes_requested" // a reviewer asked the author for changes
	NotifyPublished        = "published"         // an update was published (to its author)
	NotifyComment          = "comment"           // someone wrote in an update's conversation
	NotifyRatings          = "ratings"           // a rating change was proposed or decided
)

// NotifyKinds lists the kinds of notification mail.
var NotifyKinds = []string{NotifySubmitted, NotifyChangesRequested, NotifyPublished, NotifyComment, NotifyRatings}

// NotificationSettings is an account's choice of notification mail: none
// muted and its own address unless it says otherwise.
type NotificationSettings struct {
	UserID int64
	AllOff bool
	Muted  []string // kinds turned off
	// Address, when not empty, receives the notifications instead of the
	// account's e-mail address. Private.
	Address string
}

// Wants reports whether the account wants mail of the kind.
func (n *NotificationSettings) Wants(kind string) bool {
	return !n.AllOff && !slices.Contains(n.Muted, kind)
}

// Validate checks the kinds and the address.
func (n *NotificationSettings) Validate() error {
	v := validator{prefix: "notifications"}
	for _, k := range n.Muted {
		if !slices.Contains(NotifyKinds, k) {
			v.addf("muted", "%q is not a kind of notification; allowed: %s", k, strings.Join(NotifyKinds, ", "))
		}
	}
	n.Address = strings.ToLower(strings.TrimSpace(n.Address))
	if n.Address != "" {
		if a, err := mail.ParseAddress(n.Address); err != nil || a.Address != n.Address {
			v.addf("address", "%q is not an e-mail address", n.Address)
		}
	}
	return v.err()
}

// NotificationPrefs keeps each account's choice of notification mail.
type NotificationPrefs interface {
	// NotificationSettings returns the account's settings: the defaults
	// (everything on) when it never changed them.
	NotificationSettings(ctx context.Context, userID int64) (*NotificationSettings, error)
	// SaveNotificationSettings validates and stores them. Audited.
	SaveNotificationSettings(ctx context.Context, n *NotificationSettings) error
}
