// Package outbox sends the mail waiting in the store's outbox: a worker,
// one per server process, claims what is due, sends it through the SMTP
// server, and records each mail sent or, on failure, when to try again
// (exponential backoff), giving up on a permanent refusal or after
// MaxAttempts. Several processes on one database share the work: a claim
// holds a mail for a lease, so they do not send it at once, and a process
// that dies mid-send leaves it to be sent again when the lease ends, with
// the same Message-ID.
package outbox

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/mail"
	"github.com/civicmon/civicmon/metrics"
)

// Store is what the worker needs of civicmon.Store.
type Store interface {
	ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]civicmon.OutboxMail, error)
	MailSent(ctx context.Context, id int64, at time.Time) error
	MailFailed(ctx context.Context, id int64, errText string, retry time.Time) error
	OutboxStats(ctx context.Context) (civicmon.OutboxStats, error)
}

// Composer prepares a claimed mail of its kind before it is sent: it
// stores the composed mail (ReplaceMail, under a kind without a composer)
// and returns true, or removes it (DeleteMail) and returns false when
// there is nothing to send. Both in one transaction with whatever else it
// writes, so a crash never leaves a mail composed twice.
type Composer func(ctx context.Context, m *civicmon.OutboxMail) (send bool, err error)

// Worker sends due mail. The zero durations and counts take the defaults
// below.
type Worker struct {
	Store Store
	Mail  mail.Config
	Log   *slog.Logger
	Now   civicmon.Clock
	// Compose prepares mails by kind (the password reset form's requests).
	Compose map[string]Composer

	// Poll is how often the worker looks for due mail (1 s): mail
	// enqueued by any process goes out within about that.
	Poll time.Duration
	// Lease is how long a claimed mail is held (5 min: more than a send
	// may take, mail.Send gives up after 2 min).
	Lease time.Duration
	// BaseDelay is the wait after a first failure (30 s); it doubles with
	// each further failure up to MaxDelay (1 h).
	BaseDelay, MaxDelay time.Duration
	// MaxAttempts is how many tries a mail gets before the worker gives
	// up on it (12: with the delays above, about six hours).
	MaxAttempts int
	// Batch is how many mails one claim takes (20).
	Batch int

	sent, failed atomic.Int64
}

// Counts returns how many mails this worker sent and gave up on.
func (w *Worker) Counts() (sent, failed int64) { return w.sent.Load(), w.failed.Load() }

func (w *Worker) defaults() {
	if w.Log == nil {
		w.Log = slog.Default()
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.Poll <= 0 {
		w.Poll = time.Second
	}
	if w.Lease <= 0 {
		w.Lease = 5 * time.Minute
	}
	if w.BaseDelay <= 0 {
		w.BaseDelay = 30 * time.Second
	}
	if w.MaxDelay <= 0 {
		w.MaxDelay = time.Hour
	}
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 12
	}
	if w.Batch <= 0 {
		w.Batch = 20
	}
}

// Run sends due mail until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	w.Log.Info("mail outbox worker started", "poll", w.Poll)
	for ctx.Err() == nil {
		wait := w.Poll
		// A read first: most polls find nothing, and a claim is a write.
		st, err := w.Store.OutboxStats(ctx)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				w.Log.Warn("mail outbox: cannot read", "err", err)
			}
		case st.Pending > 0 && !st.NextDue.After(w.Now()):
			n, err := w.SendDue(ctx)
			if err != nil && ctx.Err() == nil {
				w.Log.Warn("mail outbox: cannot claim mail", "err", err)
			}
			if n == w.Batch {
				wait = 0 // there may be more
			}
		case st.Pending > 0:
			wait = min(wait, st.NextDue.Sub(w.Now()))
		}
		if wait > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
		}
	}
}

// SendDue claims one batch of due mail and tries each, returning how many
// it claimed.
func (w *Worker) SendDue(ctx context.Context) (int, error) {
	w.defaults()
	ms, err := w.Store.ClaimMail(ctx, w.Now(), w.Lease, w.Batch)
	if err != nil {
		return 0, err
	}
	for i := range ms {
		w.attempt(ctx, &ms[i])
	}
	return len(ms), nil
}

// attempt sends one claimed mail and records what came of it. Neither the
// recipient nor the body is logged: they are private, and a body may hold
// a link that opens an account.
func (w *Worker) attempt(ctx context.Context, m *civicmon.OutboxMail) {
	// Bookkeeping outlives a shutdown that interrupts the send.
	book, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	log := w.Log.With("mail", m.ID, "kind", m.Kind, "message_id", m.MessageID, "attempt", m.Attempts)
	if compose := w.Compose[m.Kind]; compose != nil {
		send, err := compose(ctx, m)
		if err != nil {
			w.retry(book, log, m, err)
			return
		}
		if !send {
			return
		}
	}
	err := mail.Send(ctx, w.Mail, mail.Message{To: m.To, Subject: m.Subject, Text: m.Body, MessageID: m.MessageID})
	if err == nil {
		if err := w.Store.MailSent(book, m.ID, w.Now()); err != nil {
			// The SMTP server has it; when the lease ends it goes again,
			// as the same message.
			log.Error("mail outbox: sent, but not recorded as sent", "err", err)
			return
		}
		w.sent.Add(1)
		metrics.Count("mail_sent", m.Kind, 1)
		log.Info("mail sent")
		return
	}
	if ctx.Err() != nil {
		// Shutting down: due again at once, for the next start.
		if ferr := w.Store.MailFailed(book, m.ID, "interrupted by shutdown", w.Now()); ferr != nil {
			log.Warn("mail outbox: cannot record the interrupted send", "err", ferr)
		}
		return
	}
	if mail.Permanent(err) {
		w.giveUp(book, log, m, err)
		return
	}
	w.retry(book, log, m, err)
}

func (w *Worker) retry(ctx context.Context, log *slog.Logger, m *civicmon.OutboxMail, cause error) {
	if m.Attempts >= w.MaxAttempts {
		w.giveUp(ctx, log, m, cause)
		return
	}
	next := w.Now().Add(Backoff(m.Attempts, w.BaseDelay, w.MaxDelay))
	metrics.Count("mail_failed_attempts", m.Kind, 1)
	if err := w.Store.MailFailed(ctx, m.ID, cause.Error(), next); err != nil {
		log.Warn("mail outbox: cannot record the failure; retried when the claim ends", "err", err, "cause", cause)
		return
	}
	log.Warn("mail not sent; will try again", "err", cause, "next", next.Format(time.RFC3339))
}

func (w *Worker) giveUp(ctx context.Context, log *slog.Logger, m *civicmon.OutboxMail, cause error) {
	if err := w.Store.MailFailed(ctx, m.ID, cause.Error(), time.Time{}); err != nil && !errors.Is(err, context.Canceled) {
		log.Warn("mail outbox: cannot record giving up", "err", err, "cause", cause)
		return
	}
	w.failed.Add(1)
	metrics.Count("mail_given_up", m.Kind, 1)
	log.Error("mail not sent; given up", "err", cause)
}

// Backoff is the wait after the attempts-th failure: base doubled for each
// failure before it, at most max, and up to a tenth more at random so
// that mails that failed together are not retried together.
func Backoff(attempts int, base, maxDelay time.Duration) time.Duration {
	d := base
	for i := 1; i < attempts && d < maxDelay; i++ {
		d *= 2
	}
	d = min(d, maxDelay)
	return d + rand.N(d/10+1)
}
