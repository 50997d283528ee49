package sqldb

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"github.com/civicmon/civicmon"
)

// outboxKeep is how long sent and given-up mails stay in the outbox (their
// bodies cleared) before they are removed: long enough to answer "was the
// mail sent?", no longer.
const outboxKeep = 30 * 24 * time.Hour

const outboxColumns = `id, message_id, kind, recipient, subject, body, created_at, not_before, attempts, sent_at, failed_at, last_error`

func scanMail(sc interface{ Scan(...any) error }, m *civicmon.OutboxMail) error {
	var sent, failed sql.NullTime
	if err := sc.Scan(&m.ID, &m.MessageID, &m.Kind, &m.To, &m.Subject, &m.Body, &m.CreatedAt, &m.NotBefore, &m.Attempts,
		&sent, &failed, &m.LastError); err != nil {
		return err
	}
	m.SentAt, m.FailedAt = sent.Time, failed.Time
	return nil
}

// newMessageID makes a Message-ID that no other message has: 128 random
// bits in the sender's domain.
func (db *DB) newMessageID() string {
	var r [16]byte
	rand.Read(r[:])
	domain := db.MessageIDDomain
	if domain == "" {
		domain = "civicmon.invalid"
	}
	return "<" + hex.EncodeToString(r[:]) + "@" + domain + ">"
}

func (s *Store) EnqueueMail(ctx context.Context, m *civicmon.OutboxMail) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		now := tx.db.Now().UTC()
		id := m.MessageID
		if id == "" {
			id = tx.db.newMessageID()
		}
		due := m.NotBefore.UTC()
		if m.NotBefore.IsZero() {
			due = now
		}
		newID, err := tx.insertID(ctx, `INSERT INTO outbox (message_id, kind, recipient, subject, body, created_at, not_before, attempts, last_error)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, '')`, id, m.Kind, m.To, m.Subject, m.Body, now, due)
		if err != nil {
			return tx.conflict(err, "a mail with the Message-ID %s is already in the outbox", id)
		}
		m.ID, m.MessageID, m.CreatedAt, m.NotBefore = newID, id, now, due
		m.Attempts, m.SentAt, m.FailedAt, m.LastError = 0, time.Time{}, time.Time{}, ""
		return nil
	})
}

func (s *Store) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]civicmon.OutboxMail, error) {
	if limit <= 0 {
		limit = 1
	}
	var out []civicmon.OutboxMail
	err := s.writeQuiet(ctx, func(tx *Store) error {
		now := now.UTC()
		// The claimed ids are chosen once (a materialised CTE: PostgreSQL
		// may run a subquery under IN more than once, past its LIMIT); the
		// outer conditions repeat the inner ones, so that on PostgreSQL a
		// row another claimer changed meanwhile is checked again (and SKIP
		// LOCKED passes rows being claimed): no mail is held twice.
		rows, err := tx.tx.QueryContext(ctx, tx.q(`WITH due AS MATERIALIZED (
				SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND not_before <= ?
				ORDER BY not_before, id LIMIT ?`+tx.db.dialect.SkipLocked+`)
			UPDATE outbox SET attempts = attempts + 1, not_before = ?
			WHERE sent_at IS NULL AND failed_at IS NULL AND not_before <= ? AND id IN (SELECT id FROM due)
			RETURNING `+outboxColumns), now, limit, now.Add(lease), now)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m civicmon.OutboxMail
			if err := scanMail(rows, &m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// RETURNING gives no order: oldest first, as they were due.
	slices.SortFunc(out, func(a, b civicmon.OutboxMail) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

func (s *Store) MailSent(ctx context.Context, id int64, at time.Time) error {
	return s.writeQuiet(ctx, func(tx *Store) error {
		res, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE outbox SET sent_at = ?, body = '', last_error = '' WHERE id = ? AND sent_at IS NULL`), at.UTC(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tx.mailMissing(ctx, id)
		}
		// Old mail goes when new mail is sent: no sweeper to run.
		old := at.UTC().Add(-outboxKeep)
		_, err = tx.tx.ExecContext(ctx, tx.q(`DELETE FROM outbox WHERE sent_at < ? OR failed_at < ?`), old, old)
		return err
	})
}

// mailMissing says why a mail could not be changed: it is not there, or
// it was sent already.
func (tx *Store) mailMissing(ctx context.Context, id int64) error {
	var sent sql.NullTime
	err := tx.tx.QueryRowContext(ctx, tx.q(`SELECT sent_at FROM outbox WHERE id = ?`), id).Scan(&sent)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("no mail with id %d in the outbox", id)
	}
	if err != nil {
		return err
	}
	return civicmon.Errorf(civicmon.ECONFLICT, "mail %d was already sent", id)
}

func (s *Store) MailFailed(ctx context.Context, id int64, errText string, retry time.Time) error {
	return s.writeQuiet(ctx, func(tx *Store) error {
		var res sql.Result
		var err error
		if retry.IsZero() {
			res, err = tx.tx.ExecContext(ctx, tx.q(`UPDATE outbox SET failed_at = ?, body = '', last_error = ? WHERE id = ? AND sent_at IS NULL`),
				tx.db.Now().UTC(), errText, id)
		} else {
			res, err = tx.tx.ExecContext(ctx, tx.q(`UPDATE outbox SET not_before = ?, last_error = ? WHERE id = ? AND sent_at IS NULL`),
				retry.UTC(), errText, id)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tx.mailMissing(ctx, id)
		}
		return nil
	})
}

func (s *Store) ReplaceMail(ctx context.Context, m *civicmon.OutboxMail) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return s.writeQuiet(ctx, func(tx *Store) error {
		res, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE outbox SET kind = ?, recipient = ?, subject = ?, body = ? WHERE id = ? AND sent_at IS NULL`),
			m.Kind, m.To, m.Subject, m.Body, m.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tx.mailMissing(ctx, m.ID)
		}
		return nil
	})
}

func (s *Store) DeleteMail(ctx context.Context, id int64) error {
	return s.writeQuiet(ctx, func(tx *Store) error {
		res, err := tx.tx.ExecContext(ctx, tx.q(`DELETE FROM outbox WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("no mail with id %d in the outbox", id)
		}
		return nil
	})
}

func (s *Store) MailByID(ctx context.Context, id int64) (*civicmon.OutboxMail, error) {
	var m civicmon.OutboxMail
	err := scanMail(s.reader().QueryRowContext(ctx, s.q(`SELECT `+outboxColumns+` FROM outbox WHERE id = ?`), id), &m)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no mail with id %d in the outbox", id)
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

func (s *Store) Mails(ctx context.Context) ([]civicmon.OutboxMail, error) {
	rows, err := s.reader().QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civicmon.OutboxMail
	for rows.Next() {
		var m civicmon.OutboxMail
		if err := scanMail(rows, &m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Store) OutboxStats(ctx context.Context) (civicmon.OutboxStats, error) {
	var st civicmon.OutboxStats
	var failed sql.NullInt64
	err := s.reader().QueryRowContext(ctx, `SELECT
		COUNT(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL),
		COUNT(*) FILTER (WHERE failed_at IS NOT NULL)
		FROM outbox`).Scan(&st.Pending, &failed)
	if err != nil {
		return st, err
	}
	st.Failed = int(failed.Int64)
	var next sql.NullTime
	err = s.reader().QueryRowContext(ctx, `SELECT not_before FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL
		ORDER BY not_before, id LIMIT 1`).Scan(&next)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, err
	}
	st.NextDue = next.Time
	return st, nil
}
