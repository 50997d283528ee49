package main

import (
	"fmt"

	"github.com/civicmon/civicmon"
)

const auditUsage = `Usage: civicmon audit verify [--db DB]

Checks the audit log's hash chain from the first entry to the last and
reports the first entry that was changed, removed or reordered. It prints
the hash of the last entry: keep it elsewhere (or publish it), since removing
entries at the very end of the log leaves no break in the chain.
`

func cmdAudit(e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, auditUsage)
		return errUsage
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		fmt.Fprint(e.stdout, auditUsage)
		return nil
	}
	if args[0] != "verify" {
		fmt.Fprintf(e.stderr, "civicmon audit: unknown subcommand %q\n\n%s", args[0], auditUsage)
		return errUsage
	}
	fs := newFlags(e, "audit verify", "audit verify [--db DB]")
	db := dbFlag(fs)
	if err := parse(e, fs, args[1:]); err != nil {
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
	problem, n, head, err := civicmon.VerifyAudit(e.ctx, d.Store())
	if err != nil {
		return err
	}
	if problem != nil {
		return fmt.Errorf("%w (%d entries before it are intact)", problem, n)
	}
	fmt.Fprintf(e.stdout, "audit log intact: %d entries; last hash %s\n", n, head)
	return nil
}
