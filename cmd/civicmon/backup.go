package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/civicmon/civicmon/sqlite"
	"github.com/civicmon/civicmon/store"
)

const postgresBackupHelp = "for PostgreSQL use pg_dump and pg_restore (docs/operations.md, \"Backups\")"

// cmdBackup copies a SQLite database while the server runs.
func cmdBackup(e *env, args []string) error {
	fs := newFlags(e, "backup", "backup [--db DB] FILE\n\nWrites a consistent copy of the SQLite database to FILE (which must not exist) while\nthe server keeps serving and writing. A file named FILE is always a whole backup.")
	db := dbFlag(fs)
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "civicmon backup: name one file to write the backup to, e.g. civicmon backup backups/civicmon-2026-12-07.db")
		return errUsage
	}
	if store.IsPostgres(*db) {
		return errors.New("backup copies SQLite databases; " + postgresBackupHelp)
	}
	start := time.Now()
	if err := sqlite.Backup(e.ctx, strings.TrimPrefix(*db, "sqlite://"), fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backup of %s written to %s in %s\n", *db, fs.Arg(0), time.Since(start).Round(time.Millisecond))
	return nil
}

// cmdRestore puts a backup in place of a database that is not there.
func cmdRestore(e *env, args []string) error {
	fs := newFlags(e, "restore", "restore [--db DB] BACKUP\n\nCopies the backup to the database path, which must not exist: it never replaces a database.\nStop the server and move the old database (and its -wal and -shm files) away first.")
	db := dbFlag(fs)
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "civicmon restore: name the backup file to restore")
		return errUsage
	}
	if store.IsPostgres(*db) {
		return errors.New("restore writes SQLite databases; " + postgresBackupHelp)
	}
	if err := sqlite.Restore(e.ctx, fs.Arg(0), strings.TrimPrefix(*db, "sqlite://")); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s restored to %s; check it with: civicmon audit verify --db %s\n", fs.Arg(0), *db, *db)
	return nil
}
