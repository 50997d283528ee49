package main

import (
	"context"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/store"
)

func TestTokenCommands(t *testing.T) {
	db := migratedDB(t)
	code, out, errs := runCLI(t, "", "token", "create", "--db", db, "--name", "partner import", "--role", "researcher")
	secret := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(secret, civicmon.APITokenPrefix) || strings.Count(out, "\n") != 1 ||
		!strings.Contains(errs, `created API token 1 "partner import" with role researcher`) {
		t.Fatalf("token create: %d %q %q", code, out, errs)
	}
	// Only the hash is stored.
	d, err := store.OpenMigrated(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := d.Store().APITokenByHash(context.Background(), civicmon.HashAPIToken(secret))
	if err != nil || tok.Name != "partner import" || tok.Role != civicmon.RoleResearcher || tok.TokenHash == secret {
		t.Fatalf("stored token %+v, %v", tok, err)
	}
	d.Close()

	code, _, errs = runCLI(t, "", "token", "create", "--db", db, "--name", "  ", "--role", "boss")
	if code != 1 || !strings.Contains(errs, "api_token.name: is required") || !strings.Contains(errs, `"boss" is not a role`) {
		t.Fatalf("bad token create: %d %q", code, errs)
	}
	code, out, errs = runCLI(t, "", "token", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "partner import") || !strings.Contains(out, "active") || strings.Contains(out, secret) {
		t.Fatalf("token list: %d %q %q", code, out, errs)
	}
	code, out, errs = runCLI(t, "", "token", "revoke", "--db", db, "1")
	if code != 0 || out != "revoked API token 1\n" {
		t.Fatalf("token revoke: %d %q %q", code, out, errs)
	}
	if code, out, _ := runCLI(t, "", "token", "list", "--db", db); code != 0 || !strings.Contains(out, "revoked 20") {
		t.Fatalf("token list after revoke: %q", out)
	}
	if code, _, errs := runCLI(t, "", "token", "revoke", "--db", db, "1"); code != 1 || !strings.Contains(errs, "already revoked") {
		t.Fatalf("second revoke: %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, "", "token", "revoke", "--db", db, "x"); code != 1 || !strings.Contains(errs, "is not a token id") {
		t.Fatalf("revoke x: %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, "", "token", "frob"); code != 2 || !strings.Contains(errs, `unknown subcommand "frob"`) {
		t.Fatalf("token frob: %d %q", code, errs)
	}
}
