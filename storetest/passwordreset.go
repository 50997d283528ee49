package storetest

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqldb"
)

func testPasswordResets(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	ana := civicmon.User{Email: "ana@example.org", Name: "Ana", Role: civicmon.RoleResearcher, PasswordHash: "$argon2id$x"}
	bo := civicmon.User{Email: "bo@example.org", Name: "Bo", Role: civicmon.RoleEditor, PasswordHash: "$argon2id$x"}
	for _, u := range []*civicmon.User{&ana, &bo} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	create := func(hash string, userID int64, expires time.Time) {
		t.Helper()
		r := civicmon.PasswordReset{TokenHash: hash, UserID: userID, ExpiresAt: expires}
		if err := s.CreatePasswordReset(ctx, &r); err != nil {
			t.Fatalf("CreatePasswordReset(%s): %v", hash, err)
		}
		if !r.CreatedAt.Equal(now) || !r.UsedAt.IsZero() {
			t.Fatalf("CreatePasswordReset set CreatedAt %s, UsedAt %s", r.CreatedAt, r.UsedAt)
		}
	}
	wantInvalid := func(hash string, at time.Time) {
		t.Helper()
		u, err := s.UsePasswordReset(ctx, hash, at)
		if u != nil {
			t.Fatalf("UsePasswordReset(%s) returned user %d", hash, u.ID)
		}
		wantCode(t, err, civicmon.EINVALID)
		if civicmon.ErrorMessage(err) != civicmon.PasswordResetInvalidMessage {
			t.Fatalf("message = %q", civicmon.ErrorMessage(err))
		}
	}
	hour := now.Add(time.Hour)

	// Used once: it works, and never again.
	create("ana-1", ana.ID, hour)
	u, err := s.UsePasswordReset(ctx, "ana-1", now.Add(10*time.Minute))
	if err != nil || u.ID != ana.ID || u.Email != "ana@example.org" {
		t.Fatalf("UsePasswordReset = %+v, %v", u, err)
	}
	wantInvalid("ana-1", now.Add(11*time.Minute))

	// Unknown tokens, including the empty one.
	wantInvalid("no-such-token", now)
	wantInvalid("", now)

	// Expired: at ExpiresAt and after, not a moment before.
	create("bo-1", bo.ID, hour)
	wantInvalid("bo-1", hour)
	wantInvalid("bo-1", hour.Add(time.Second))
	if u, err := s.UsePasswordReset(ctx, "bo-1", hour.Add(-time.Millisecond)); err != nil || u.ID != bo.ID {
		t.Fatalf("a reset just before its expiry: %+v, %v", u, err)
	}

	// A newer reset spends the older one; another account's is untouched.
	create("ana-2", ana.ID, hour)
	create("bo-2", bo.ID, hour)
	create("ana-3", ana.ID, hour)
	wantInvalid("ana-2", now)
	if u, err := s.UsePasswordReset(ctx, "ana-3", now); err != nil || u.ID != ana.ID {
		t.Fatalf("the newest reset: %+v, %v", u, err)
	}

	// The same token twice is a conflict, and the store does not quote it.
	err = s.CreatePasswordReset(ctx, &civicmon.PasswordReset{TokenHash: "bo-2", UserID: bo.ID, ExpiresAt: hour})
	wantCode(t, err, civicmon.ECONFLICT)
	if strings.Contains(err.Error(), "bo-2") {
		t.Fatalf("the error quotes the token: %v", err)
	}

	// Two uses racing: exactly one wins.
	create("bo-3", bo.ID, hour)
	var wg sync.WaitGroup
	results := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := s.UsePasswordReset(ctx, "bo-3", now)
			results <- err
		})
	}
	wg.Wait()
	close(results)
	wins := 0
	for err := range results {
		switch civicmon.ErrorCode(err) {
		case "":
			wins++
		case civicmon.EINVALID:
		default:
			t.Fatalf("racing use: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d racing uses succeeded, want 1", wins)
	}

	// Bad input is refused before it reaches the database.
	err = s.CreatePasswordReset(ctx, &civicmon.PasswordReset{})
	wantFieldError(t, err, "password_reset.token_hash", "is required")
	wantFieldError(t, err, "password_reset.user_id", "is required")
	wantFieldError(t, err, "password_reset.expires_at", "is required")
	err = s.CreatePasswordReset(ctx, &civicmon.PasswordReset{TokenHash: "ghost", UserID: 999999, ExpiresAt: hour})
	wantCode(t, err, civicmon.ENOTFOUND)

	// Deleting the account deletes its resets (there is no store method to
	// delete an account yet, so this reaches under the store).
	create("bo-4", bo.ID, hour)
	arg := "?"
	if db.Dialect().DollarPlaceholders {
		arg = "$1"
	}
	if _, err := db.WriteDB().ExecContext(ctx, `DELETE FROM users WHERE id = `+arg, bo.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM password_resets WHERE user_id = `+arg, bo.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d resets left for a deleted account", n)
	}
	wantInvalid("bo-4", now)

	// The audit log says what happened, and never holds a token.
	var actions []string
	err = s.AuditLog(ctx, func(e *civicmon.AuditEntry) error {
		if !strings.HasPrefix(e.Action, "user.password_reset") {
			return nil
		}
		actions = append(actions, e.Action+" "+e.EntityID)
		for _, tok := range []string{"ana-", "bo-"} {
			if strings.Contains(e.Detail, tok) {
				t.Errorf("audit entry %d holds a token: %q", e.ID, e.Detail)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a, b := strconv.FormatInt(ana.ID, 10), strconv.FormatInt(bo.ID, 10)
	want := []string{
		"user.password_reset_requested " + a, "user.password_reset_used " + a,
		"user.password_reset_requested " + b, "user.password_reset_used " + b,
		"user.password_reset_requested " + a, "user.password_reset_requested " + b, "user.password_reset_requested " + a,
		"user.password_reset_used " + a,
		"user.password_reset_requested " + b, "user.password_reset_used " + b,
		"user.password_reset_requested " + b,
	}
	if strings.Join(actions, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit log:\n%s\nwant\n%s", strings.Join(actions, "\n"), strings.Join(want, "\n"))
	}
	if p, _, _, err := civicmon.VerifyAudit(ctx, s); err != nil || p != nil {
		t.Fatalf("audit chain: %v, %v", p, err)
	}
}
