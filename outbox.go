package civicmon

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// OutboxMail is one message in the durable mail outbox. Code that sends
// mail enqueues it (EnqueueMail), inside the transaction of the change it
// tells about when there is one, so the mail goes out if and only if the
// change is committed; a worker in the server sends what is due, retrying
// with backoff. Delivery is at least once: a message sent just before a
// crash may be sent again, always with the same MessageID, which mail
// clients use to show it once.
type OutboxMail struct {
	ID int64
	// MessageID is the message's Message-ID header, "<…@…>"; EnqueueMail
	// makes one when it is empty.
	MessageID string
	// To is one recipient, "ana@example.org" or "Ana <ana@example.org>".
	To, Subject, Body string
	// Kind says what the mail is (MailPasswordReset, "notification"…), for
	// logs and metrics, and for the kinds the worker composes before
	// sending (MailPasswordResetRequest).
	Kind      string
	CreatedAt time.Time
	// NotBefore is when the mail is due: its creation, a later time to
	// send it at, or the next attempt after a failure.
	NotBefore time.Time
	// Attempts counts the tries to send it so far.
	Attempts int
	// SentAt is when the SMTP server took it; zero while it waits. The
	// body of a sent mail is cleared: it may hold a link that opens an
	// account.
	SentAt time.Time
	// FailedAt is when the worker gave up on it (a permanent refusal, or
	// too many attempts); zero otherwise.
	FailedAt  time.Time
	LastError string
}

// Kinds of mail civicmon sends itself.
const (
	// MailPasswordResetRequest is a password reset asked for an address.
	// The form enqueues it the same way whether or not an account has the
	// address, so that its answer tells nobody which do; the worker looks
	// the account up, makes the link and turns the mail into a
	// MailPasswordReset, or drops it.
	MailPasswordResetRequest = "password_reset_request"
	// MailPasswordReset is a mail with a password reset link.
	MailPasswordReset = "password_reset"
)

// Validate checks that the mail has a kind and one recipient's address,
// and no line break in a header (which would let a value add headers or
// recipients).
func (m *OutboxMail) Validate() error {
	v := validator{prefix: "mail"}
	if strings.TrimSpace(m.Kind) == "" {
		v.addf("kind", "is required")
	}
	switch {
	case strings.TrimSpace(m.To) == "":
		v.addf("to", "is required")
	case strings.ContainsAny(m.To, "\r\n"):
		v.addf("to", "must not contain a line break")
	default:
		if _, err := mail.ParseAddress(m.To); err != nil {
			v.addf("to", "%q is not an e-mail address", m.To)
		}
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		v.addf("subject", "must not contain a line break")
	}
	if id := m.MessageID; id != "" {
		if strings.ContainsAny(id, "\r\n \t") || !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, ">") || !strings.Contains(id, "@") {
			v.addf("message_id", "%q is not a Message-ID: write <something@domain>", id)
		}
	}
	return v.err()
}

// OutboxStats is how much mail waits.
type OutboxStats struct {
	// Pending mails are not yet sent and not given up.
	Pending int
	// Failed mails were given up on.
	Failed int
	// NextDue is when the earliest pending mail is due; zero when none is.
	NextDue time.Time
}

// Outbox keeps the mail waiting to be sent.
type Outbox interface {
	// EnqueueMail stores m to be sent from m.NotBefore (now when zero),
	// setting its ID, CreatedAt and, when empty, MessageID. Inside InTx it
	// commits or rolls back with the caller's transaction.
	EnqueueMail(ctx context.Context, m *OutboxMail) error
	// ClaimMail takes up to limit mails due at now for one attempt each:
	// their Attempts go up by one and they are not due again until
	// now+lease, so that another worker (another process on the same
	// database) does not send them meanwhile, and a worker that dies
	// mid-send leaves them to be retried when the lease ends.
	ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxMail, error)
	// MailSent records that the mail was taken by the SMTP server at at,
	// and clears its body.
	MailSent(ctx context.Context, id int64, at time.Time) error
	// MailFailed records a failed attempt: the mail is due again at retry,
	// or, when retry is zero, given up on (FailedAt now, body cleared).
	MailFailed(ctx context.Context, id int64, errText string, retry time.Time) error
	// ReplaceMail stores a composed mail's Kind, To, Subject and Body in
	// place of the enqueued ones (its MessageID and attempts stay).
	ReplaceMail(ctx context.Context, m *OutboxMail) error
	// DeleteMail removes a mail that is not to be sent.
	DeleteMail(ctx context.Context, id int64) error
	// MailByID returns one mail.
	MailByID(ctx context.Context, id int64) (*OutboxMail, error)
	// Mails returns every mail in the outbox, oldest first (for tests and
	// the command line; sent mails are kept for a while, then removed).
	Mails(ctx context.Context) ([]OutboxMail, error)
	// OutboxStats counts the waiting and failed mail.
	OutboxStats(ctx context.Context) (OutboxStats, error)
}
