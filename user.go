package civicmon

import (
	"net/mail"
	"slices"
	"strings"
	"time"
)

// Role is a named set of permissions.
type Role string

const (
	RoleAdmin      Role = "admin"
	RoleEditor     Role = "editor"
	RoleResearcher Role = "researcher"
	RoleReviewer   Role = "reviewer"
)

var Roles = []Role{RoleAdmin, RoleEditor, RoleResearcher, RoleReviewer}

func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// User is an account that can sign in to the editorial workspace.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         Role
	PasswordHash string // argon2id, PHC string format
	// TOTPSecret is the base32 secret of the second factor (RFC 6238), ""
	// when the account has none.
	TOTPSecret string
	Disabled   bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Validate checks e-mail, name and role; it normalises the e-mail to lower case.
func (u *User) Validate() error {
	v := validator{prefix: "user"}
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		v.addf("email", "%q is not an e-mail address", u.Email)
	}
	if strings.TrimSpace(u.Name) == "" {
		v.addf("name", "is required")
	}
	if !u.Role.Valid() {
		v.addf("role", "%q is not a role; allowed: admin, editor, researcher, reviewer", u.Role)
	}
	if u.PasswordHash == "" {
		v.addf("password", "is required")
	}
	return v.err()
}

// Session is a signed-in browser. Only the SHA-256 of its token is stored,
// so a copy of the database opens no account.
type Session struct {
	TokenHash string
	UserID    int64
	// MFAPending marks a login that passed the password and still owes the
	// second factor: it opens nothing but the second-factor form.
	MFAPending bool
	CreatedAt  time.Time
	ExpiresAt  time.Time
}
