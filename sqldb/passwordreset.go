package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/civicmon/civicmon"
)

func (s *Store) CreatePasswordReset(ctx context.Context, r *civicmon.PasswordReset) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		var n int
		if err := tx.tx.QueryRowContext(ctx, tx.q(`SELECT COUNT(*) FROM users WHERE id = ?`), r.UserID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return notFound("no user with id %d", r.UserID)
		}
		now := tx.db.Now().UTC()
		// Only the newest link works: the ones sent before it are spent.
		if _, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`),
			now, r.UserID); err != nil {
			return err
		}
		// Expired links go when new ones come: no sweeper to run.
		if _, err := tx.tx.ExecContext(ctx, tx.q(`DELETE FROM password_resets WHERE expires_at < ?`), now); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(ctx, tx.q(`INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`),
			r.TokenHash, r.UserID, now, r.ExpiresAt.UTC())
		if err != nil {
			// Not the token in the message: it would end up in logs.
			return tx.conflict(err, "this password reset token is already stored")
		}
		r.CreatedAt, r.UsedAt = now, time.Time{}
		return tx.audit(ctx, "user.password_reset_requested", "user", itoa64(r.UserID), "")
	})
}

func (s *Store) UsePasswordReset(ctx context.Context, tokenHash string, now time.Time) (*civicmon.User, error) {
	var u *civicmon.User
	err := s.write(ctx, func(tx *Store) error {
		// One statement checks and spends the link, so of two requests
		// racing with the same token only one finds it unused.
		var userID int64
		err := tx.tx.QueryRowContext(ctx, tx.q(`UPDATE password_resets SET used_at = ?
			WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`),
			now.UTC(), tokenHash, now.UTC()).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return civicmon.Errorf(civicmon.EINVALID, "%s", civicmon.PasswordResetInvalidMessage)
		}
		if err != nil {
			return err
		}
		if u, err = tx.UserByID(ctx, userID); err != nil {
			return err
		}
		return tx.audit(ctx, "user.password_reset_used", "user", itoa64(userID), "")
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
