package main

import (
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/civicmon/civicmon"
)

const tokenUsage = `Usage: civicmon token <subcommand> [flags]

API tokens let other systems write through the JSON API (/api/v1). Each
acts as a service account of its own with the token's role; every use is
in the audit log. Only a hash of the token is stored.

Subcommands:
  create --name NAME --role ROLE
                             create a token; it is printed once, on stdout
  list                       list tokens (never the tokens themselves)
  revoke ID                  revoke a token for good

Roles: admin, editor, researcher, reviewer. Each subcommand takes --db.
`

func cmdToken(e *env, args []string) error {
	return subcommand(e, "token", tokenUsage, args, map[string]func(*env, []string) error{
		"create": cmdTokenCreate, "list": cmdTokenList, "revoke": cmdTokenRevoke,
	})
}

func cmdTokenCreate(e *env, args []string) error {
	fs := newFlags(e, "token create", "token create --name NAME --role ROLE [--db DB]")
	db := dbFlag(fs)
	name := fs.String("name", "", "the `NAME` of the token: what it is for, e.g. \"partner import\"")
	role := fs.String("role", "", "the token's `ROLE`: admin, editor, researcher or reviewer")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, 0, 0); err != nil {
		return err
	}
	if err := required(e, fs, "name", "role"); err != nil {
		return err
	}
	secret, hash := civicmon.NewAPIToken()
	t := civicmon.APIToken{Name: *name, Role: civicmon.Role(*role), TokenHash: hash}
	if err := t.Validate(); err != nil { // before touching the database
		return err
	}
	d, err := openDB(e, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Store().CreateAPIToken(e.ctx, &t); err != nil {
		return err
	}
	// The token alone on stdout, so that scripts can capture it; the rest
	// on stderr.
	fmt.Fprintf(e.stderr, "created API token %d %q with role %s. This is the only time the token is shown:\n", t.ID, t.Name, t.Role)
	fmt.Fprintln(e.stdout, secret)
	return nil
}

func cmdTokenList(e *env, args []string) error {
	fs := newFlags(e, "token list", "token list [--db DB]")
	db := dbFlag(fs)
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, 0, 0); err != nil {
		return err
	}
	d, err := openDB(e, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	ts, err := d.Store().APITokens(e.ctx)
	if err != nil {
		return err
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format("2006-01-02 15:04")
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED\tLAST USED\tSTATUS")
	for _, t := range ts {
		status := "active"
		if t.Revoked() {
			status = "revoked " + t.RevokedAt.UTC().Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, day(t.CreatedAt), day(t.LastUsedAt), status)
	}
	return tw.Flush()
}

func cmdTokenRevoke(e *env, args []string) error {
	fs := newFlags(e, "token revoke", "token revoke ID [--db DB]\n\n"+
		"Revokes the token with the ID that civicmon token list shows, for good, and\n"+
		"disables its service account.")
	db := dbFlag(fs)
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, 1, 1); err != nil {
		return err
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return civicmon.Errorf(civicmon.EINVALID, "%q is not a token id: `civicmon token list` shows them", fs.Arg(0))
	}
	d, err := openDB(e, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Store().RevokeAPIToken(e.ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "revoked API token %d\n", id)
	return nil
}
