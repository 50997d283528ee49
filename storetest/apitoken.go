package storetest

import (
	"strconv"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqldb"
)

func testAPITokens(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	admin := civicmon.User{Email: "admin@example.org", Name: "Admin", Role: civicmon.RoleAdmin, PasswordHash: "$argon2id$x"}
	if err := s.CreateUser(ctx, &admin); err != nil {
		t.Fatal(err)
	}

	secret, hash := civicmon.NewAPIToken()
	if len(secret) < 40 || secret[:4] != civicmon.APITokenPrefix || hash != civicmon.HashAPIToken(secret) || len(hash) != 64 {
		t.Fatalf("NewAPIToken = %q, %q", secret, hash)
	}
	tok := civicmon.APIToken{Name: "  partner import ", Role: civicmon.RoleResearcher, TokenHash: hash}
	if err := s.CreateAPIToken(civicmon.WithActor(ctx, admin.ID), &tok); err != nil {
		t.Fatal(err)
	}
	if tok.ID == 0 || tok.UserID == 0 || tok.Name != "partner import" || tok.CreatedBy != admin.ID || !tok.CreatedAt.Equal(now) {
		t.Fatalf("CreateAPIToken set %+v", tok)
	}
	// The token acts as a service account of its own, of the token's role,
	// that no password opens.
	sa, err := s.UserByID(ctx, tok.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if sa.Role != civicmon.RoleResearcher || sa.Disabled || sa.Name != "API token: partner import" || sa.PasswordHash == "" || sa.PasswordHash[0] == '$' {
		t.Fatalf("service account %+v", sa)
	}

	got, err := s.APITokenByHash(ctx, hash)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != tok.ID || got.Role != civicmon.RoleResearcher || got.UserID != tok.UserID || got.Revoked() || !got.LastUsedAt.IsZero() {
		t.Fatalf("APITokenByHash = %+v", got)
	}
	_, err = s.APITokenByHash(ctx, civicmon.HashAPIToken("cmt_unknown"))
	wantCode(t, err, civicmon.ENOTFOUND)

	// A second token, created from the command line (no actor).
	_, hash2 := civicmon.NewAPIToken()
	tok2 := civicmon.APIToken{Name: "editor bot", Role: civicmon.RoleEditor, TokenHash: hash2}
	if err := s.CreateAPIToken(ctx, &tok2); err != nil {
		t.Fatal(err)
	}
	if tok2.CreatedBy != 0 || tok2.UserID == tok.UserID {
		t.Fatalf("second token %+v", tok2)
	}

	// Invalid tokens and a stored hash change nothing, not even the users.
	users, _ := s.Users(ctx)
	err = s.CreateAPIToken(ctx, &civicmon.APIToken{Name: "", Role: "boss", TokenHash: "short"})
	wantFieldError(t, err, "api_token.name", "is required")
	wantFieldError(t, err, "api_token.role", `"boss" is not a role`)
	wantFieldError(t, err, "api_token.token_hash", "is not a SHA-256 hash")
	wantCode(t, s.CreateAPIToken(ctx, &civicmon.APIToken{Name: "again", Role: civicmon.RoleEditor, TokenHash: hash}), civicmon.ECONFLICT)
	if after, _ := s.Users(ctx); len(after) != len(users) {
		t.Fatalf("a refused token left %d users behind", len(after)-len(users))
	}

	// A use is recorded and audited as the token's service account.
	now = now.Add(time.Hour)
	if err := s.UseAPIToken(ctx, tok.ID, "POST /api/v1/updates"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.UseAPIToken(ctx, 999999, "x"), civicmon.ENOTFOUND)
	if got, _ := s.APITokenByHash(ctx, hash); !got.LastUsedAt.Equal(now) {
		t.Fatalf("LastUsedAt = %s, want %s", got.LastUsedAt, now)
	}
	var uses []civicmon.AuditEntry
	s.AuditLog(ctx, func(e *civicmon.AuditEntry) error {
		if e.Action == "api_token.use" {
			uses = append(uses, *e)
		}
		return nil
	})
	if len(uses) != 1 || uses[0].ActorID != tok.UserID || uses[0].Detail != "POST /api/v1/updates" || uses[0].EntityID != strconv.FormatInt(tok.ID, 10) {
		t.Fatalf("audited uses %+v", uses)
	}

	list, err := s.APITokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != tok.ID || list[1].Role != civicmon.RoleEditor || list[0].TokenHash != hash {
		t.Fatalf("APITokens = %+v", list)
	}

	// Revoked for good: the token says so and its account is disabled.
	if err := s.RevokeAPIToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = s.APITokenByHash(ctx, hash)
	if !got.Revoked() || !got.RevokedAt.Equal(now) {
		t.Fatalf("revoked token %+v", got)
	}
	if sa, _ := s.UserByID(ctx, tok.UserID); !sa.Disabled {
		t.Fatal("the revoked token's service account is not disabled")
	}
	wantCode(t, s.RevokeAPIToken(ctx, tok.ID), civicmon.ECONFLICT)
	wantCode(t, s.RevokeAPIToken(ctx, 999999), civicmon.ENOTFOUND)
	if got, _ := s.APITokenByHash(ctx, hash2); got.Revoked() {
		t.Fatal("revoking one token revoked another")
	}
	if p, _, _, err := civicmon.VerifyAudit(ctx, s); err != nil || p != nil {
		t.Fatalf("audit chain after token work: %v %v", p, err)
	}
}
