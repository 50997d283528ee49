package civicmon

import (
	"context"
	"time"
)

// PasswordReset is a one-time link that lets an account choose a new
// password. As with sessions, only the SHA-256 of its token is stored, so a
// copy of the database opens no account.
type PasswordReset struct {
	TokenHash string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is when the link was used, or superseded by a newer one; zero
	// while it is still usable.
	UsedAt time.Time
}

// Validate checks that the reset names its token, its account and an expiry.
func (r *PasswordReset) Validate() error {
	v := validator{prefix: "password_reset"}
	if r.TokenHash == "" {
		v.addf("token_hash", "is required")
	}
	if r.UserID <= 0 {
		v.addf("user_id", "is required")
	}
	if r.ExpiresAt.IsZero() {
		v.addf("expires_at", "is required")
	}
	return v.err()
}

// PasswordResetInvalidMessage is what a person who follows an unknown,
// expired or used reset link is told. It does not say which of the three it
// was: that would tell someone probing links which ones once existed.
const PasswordResetInvalidMessage = "this password reset link has expired or was already used; ask for a new one"

// PasswordResets keeps password reset links.
type PasswordResets interface {
	// CreatePasswordReset stores r, setting its CreatedAt, and marks the
	// account's earlier unused resets as used: only the newest link works.
	CreatePasswordReset(ctx context.Context, r *PasswordReset) error
	// UsePasswordReset marks the reset with tokenHash used at now and
	// returns its account, in one step, so that a link works once even
	// when followed twice at the same moment. A token that is unknown,
	// expired (at or after ExpiresAt) or already used gives an *Error with
	// code EINVALID and PasswordResetInvalidMessage.
	UsePasswordReset(ctx context.Context, tokenHash string, now time.Time) (*User, error)
}
