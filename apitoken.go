package civicmon

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"
)

// APIToken lets another system write through the JSON API. Admins create
// tokens (`civicmon token create`); each is scoped to a role and acts as a
// service account of its own, created with it, so that the audit log and
// the revisions name the token that made each change, and a researcher
// token edits the drafts it wrote and no others. As with sessions, only the
// SHA-256 of the token is stored: a copy of the database opens nothing.
type APIToken struct {
	ID   int64
	Name string // what the token is for: "partner import", "KZ team"
	// Role is the role of the token's service account: what it may do.
	Role      Role
	TokenHash string // SHA-256 of the token, hex
	// UserID is the token's service account, whose id the audit log and
	// revisions record for every change the token makes.
	UserID int64
	// CreatedBy is the admin who created the token; 0 for the command line.
	CreatedBy  int64
	CreatedAt  time.Time
	LastUsedAt time.Time // zero until first used
	RevokedAt  time.Time // zero while the token works
}

// Revoked reports whether the token was revoked.
func (t *APIToken) Revoked() bool { return !t.RevokedAt.IsZero() }

// Validate checks the token's name, role and hash.
func (t *APIToken) Validate() error {
	v := validator{prefix: "api_token"}
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		v.addf("name", "is required: say what the token is for")
	} else if n := utf8.RuneCountInString(t.Name); n > 100 {
		v.addf("name", "is %d characters long; at most 100 are allowed", n)
	}
	if !t.Role.Valid() {
		v.addf("role", "%q is not a role; allowed: admin, editor, researcher, reviewer", t.Role)
	}
	if len(t.TokenHash) != 64 {
		v.addf("token_hash", "is not a SHA-256 hash in hex")
	}
	return v.err()
}

// APITokenPrefix starts every API token, so that secret scanners and
// people recognise one.
const APITokenPrefix = "cmt_"

// NewAPIToken returns a new random token and its hash. The token is shown
// once to whoever creates it; only the hash is kept.
func NewAPIToken() (token, hash string) {
	var b [32]byte
	rand.Read(b[:])
	token = APITokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashAPIToken(token)
}

// HashAPIToken is the SHA-256 of a token, in hex: how tokens are stored
// and looked up.
func HashAPIToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// APITokens keeps API tokens.
type APITokens interface {
	// CreateAPIToken validates t and stores it with a new service account
	// of t.Role named after it, in one transaction, setting ID, UserID and
	// CreatedAt. The service account has no password: it cannot sign in.
	CreateAPIToken(ctx context.Context, t *APIToken) error
	// APITokens lists every token, revoked ones too, oldest first.
	APITokens(ctx context.Context) ([]APIToken, error)
	// APITokenByHash returns the token with the hash, revoked or not, or
	// ENOTFOUND.
	APITokenByHash(ctx context.Context, tokenHash string) (*APIToken, error)
	// UseAPIToken records one use of the token: its time of last use and
	// an audit entry (action "api_token.use", actor the token's service
	// account) with the detail given, such as the request's method and path.
	UseAPIToken(ctx context.Context, id int64, detail string) error
	// RevokeAPIToken revokes the token for good and disables its service
	// account. Revoking a revoked token is ECONFLICT; an unknown one, ENOTFOUND.
	RevokeAPIToken(ctx context.Context, id int64) error
}
