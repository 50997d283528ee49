package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/civicmon/civicmon"
)

const userColumns = `id, email, name, role, password_hash, totp_secret, disabled, created_at, updated_at`

func scanUser(sc interface{ Scan(...any) error }, u *civicmon.User) error {
	return sc.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.TOTPSecret, &u.Disabled, &u.CreatedAt, &u.UpdatedAt)
}

func (s *Store) CreateUser(ctx context.Context, u *civicmon.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		now := tx.db.Now().UTC()
		id, err := tx.insertID(ctx, `INSERT INTO users (email, name, role, password_hash, totp_secret, disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.Email, u.Name, u.Role, u.PasswordHash, u.TOTPSecret, u.Disabled, now, now)
		if err != nil {
			return tx.conflict(err, "a user with e-mail %s already exists", u.Email)
		}
		u.ID, u.CreatedAt, u.UpdatedAt = id, now, now
		return tx.audit(ctx, "user.create", "user", itoa64(id), u.Email+" "+string(u.Role))
	})
}

func (s *Store) SaveUser(ctx context.Context, u *civicmon.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		var was civicmon.User
		err := tx.tx.QueryRowContext(ctx, tx.q(`SELECT role, password_hash, disabled FROM users WHERE id = ?`), u.ID).
			Scan(&was.Role, &was.PasswordHash, &was.Disabled)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("no user with id %d", u.ID)
		}
		if err != nil {
			return err
		}
		now := tx.db.Now().UTC()
		if _, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE users SET email = ?, name = ?, role = ?, password_hash = ?, totp_secret = ?,
			disabled = ?, updated_at = ? WHERE id = ?`), u.Email, u.Name, u.Role, u.PasswordHash, u.TOTPSecret, u.Disabled, now, u.ID); err != nil {
			return tx.conflict(err, "a user with e-mail %s already exists", u.Email)
		}
		// A new password, a new role or disabling (or enabling) the account
		// signs it out everywhere, here, so that no caller can forget to:
		// a session opened under the old password or role ends with it.
		if was.PasswordHash != u.PasswordHash || was.Role != u.Role || was.Disabled != u.Disabled {
			if _, err := tx.tx.ExecContext(ctx, tx.q(`DELETE FROM sessions WHERE user_id = ?`), u.ID); err != nil {
				return err
			}
		}
		u.UpdatedAt = now
		return tx.audit(ctx, "user.save", "user", itoa64(u.ID), u.Email+" "+string(u.Role))
	})
}

func (s *Store) UserByID(ctx context.Context, id int64) (*civicmon.User, error) {
	return s.user(ctx, `id = ?`, id, "no user with id %v")
}

func (s *Store) UserByEmail(ctx context.Context, email string) (*civicmon.User, error) {
	return s.user(ctx, `email = ?`, strings.ToLower(strings.TrimSpace(email)), "no user with e-mail %v")
}

func (s *Store) user(ctx context.Context, where string, arg any, missing string) (*civicmon.User, error) {
	var u civicmon.User
	err := scanUser(s.reader().QueryRowContext(ctx, s.q(`SELECT `+userColumns+` FROM users WHERE `+where), arg), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(missing, arg)
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func (s *Store) Users(ctx context.Context) ([]civicmon.User, error) {
	rows, err := s.reader().QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civicmon.User
	for rows.Next() {
		var u civicmon.User
		if err := scanUser(rows, &u); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func (s *Store) CreateSession(ctx context.Context, sess *civicmon.Session) error {
	return s.write(ctx, func(tx *Store) error {
		sess.CreatedAt = tx.db.Now().UTC()
		_, err := tx.tx.ExecContext(ctx, tx.q(`INSERT INTO sessions (token_hash, user_id, mfa_pending, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
			sess.TokenHash, sess.UserID, sess.MFAPending, sess.CreatedAt, sess.ExpiresAt.UTC())
		if err != nil {
			return err
		}
		// Expired sessions go when new ones come: no sweeper to run.
		_, err = tx.tx.ExecContext(ctx, tx.q(`DELETE FROM sessions WHERE expires_at < ?`), sess.CreatedAt)
		return err
	})
}

func (s *Store) SessionByHash(ctx context.Context, tokenHash string) (*civicmon.Session, error) {
	var sess civicmon.Session
	err := s.reader().QueryRowContext(ctx, s.q(`SELECT token_hash, user_id, mfa_pending, created_at, expires_at FROM sessions WHERE token_hash = ?`),
		tokenHash).Scan(&sess.TokenHash, &sess.UserID, &sess.MFAPending, &sess.CreatedAt, &sess.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no such session")
	}
	if err != nil {
		return nil, err
	}
	return &sess, nil
}

func (s *Store) CompleteMFA(ctx context.Context, tokenHash string) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE sessions SET mfa_pending = ? WHERE token_hash = ?`), false, tokenHash)
		return err
	})
}

func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.tx.ExecContext(ctx, tx.q(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash)
		return err
	})
}

func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.tx.ExecContext(ctx, tx.q(`DELETE FROM sessions WHERE user_id = ?`), userID)
		return err
	})
}
