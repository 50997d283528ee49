package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/civicmon/civicmon"
)

// serviceAccountPassword is the password hash of a token's service
// account: no password verifies against it, so the account cannot sign in.
const serviceAccountPassword = "!api-token"

func (s *Store) CreateAPIToken(ctx context.Context, t *civicmon.APIToken) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		var b [6]byte
		rand.Read(b[:])
		// The .invalid domain (RFC 2606) never receives mail, so no reset
		// link for the account can reach anyone.
		u := civicmon.User{Email: "api-token-" + hex.EncodeToString(b[:]) + "@api-tokens.invalid", Name: "API token: " + t.Name,
			Role: t.Role, PasswordHash: serviceAccountPassword}
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		if t.CreatedBy == 0 {
			t.CreatedBy = civicmon.ActorFrom(ctx)
		}
		now := tx.db.Now().UTC()
		id, err := tx.insertID(ctx, `INSERT INTO api_tokens (name, token_hash, user_id, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			t.Name, t.TokenHash, u.ID, nullInt64(t.CreatedBy), now)
		if err != nil {
			// Not the hash in the message: it would end up in logs.
			return tx.conflict(err, "this API token is already stored")
		}
		t.ID, t.UserID, t.CreatedAt, t.LastUsedAt, t.RevokedAt = id, u.ID, now, time.Time{}, time.Time{}
		return tx.audit(ctx, "api_token.create", "api_token", itoa64(id), t.Name+" "+string(t.Role))
	})
}

const apiTokenSelect = `SELECT t.id, t.name, u.role, t.token_hash, t.user_id, t.created_by, t.created_at, t.last_used_at, t.revoked_at
	FROM api_tokens t JOIN users u ON u.id = t.user_id`

func scanAPIToken(sc interface{ Scan(...any) error }, t *civicmon.APIToken) error {
	var createdBy sql.NullInt64
	var used, revoked sql.NullTime
	if err := sc.Scan(&t.ID, &t.Name, &t.Role, &t.TokenHash, &t.UserID, &createdBy, &t.CreatedAt, &used, &revoked); err != nil {
		return err
	}
	t.CreatedBy, t.LastUsedAt, t.RevokedAt = createdBy.Int64, used.Time, revoked.Time
	return nil
}

func (s *Store) APITokens(ctx context.Context) ([]civicmon.APIToken, error) {
	rows, err := s.reader().QueryContext(ctx, apiTokenSelect+` ORDER BY t.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civicmon.APIToken
	for rows.Next() {
		var t civicmon.APIToken
		if err := scanAPIToken(rows, &t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *Store) APITokenByHash(ctx context.Context, tokenHash string) (*civicmon.APIToken, error) {
	var t civicmon.APIToken
	err := scanAPIToken(s.reader().QueryRowContext(ctx, s.q(apiTokenSelect+` WHERE t.token_hash = ?`), tokenHash), &t)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no such API token")
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (s *Store) UseAPIToken(ctx context.Context, id int64, detail string) error {
	return s.write(ctx, func(tx *Store) error {
		var userID int64
		err := tx.tx.QueryRowContext(ctx, tx.q(`SELECT user_id FROM api_tokens WHERE id = ?`), id).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("no API token with id %d", id)
		}
		if err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), tx.db.Now().UTC(), id); err != nil {
			return err
		}
		return tx.audit(civicmon.WithActor(ctx, userID), "api_token.use", "api_token", itoa64(id), detail)
	})
}

func (s *Store) RevokeAPIToken(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *Store) error {
		var userID int64
		var revoked sql.NullTime
		err := tx.tx.QueryRowContext(ctx, tx.q(`SELECT user_id, revoked_at FROM api_tokens WHERE id = ?`), id).Scan(&userID, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("no API token with id %d", id)
		}
		if err != nil {
			return err
		}
		if revoked.Valid {
			return civicmon.Errorf(civicmon.ECONFLICT, "API token %d was already revoked on %s", id, revoked.Time.UTC().Format("2006-01-02"))
		}
		now := tx.db.Now().UTC()
		if _, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE api_tokens SET revoked_at = ? WHERE id = ?`), now, id); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?`), true, now, userID); err != nil {
			return err
		}
		return tx.audit(ctx, "api_token.revoke", "api_token", itoa64(id), "")
	})
}
