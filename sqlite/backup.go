package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Backup writes a consistent copy of the database at src to dst while
// other processes read and write it: VACUUM INTO copies one read
// transaction's snapshot, which WAL mode lets run beside the writer. The
// copy is written under a hidden temporary name beside dst, checked
// (integrity_check), synced, and only then renamed to dst, so a file named
// dst is always a whole backup: a backup that fails or is killed leaves at
// most a ".NAME.partial-…" file, never a partial dst. dst must not exist.
func Backup(ctx context.Context, src, dst string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("database %s: %w", src, err)
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s already exists; give a new file name (a backup never overwrites a file)", dst)
	}
	tmp, err := partialName(dst)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // gone once renamed; removes a failed copy
	db, err := sql.Open("sqlite", "file:"+src+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := Check(ctx, tmp); err != nil {
		return fmt.Errorf("the copy does not check out, nothing kept: %w", err)
	}
	return commitFile(tmp, dst)
}

// Restore copies the backup at src to dst, which must not exist: restoring
// never replaces a database, whether a server is using it or not. Move the
// old database (and its -wal and -shm files) away with the server stopped,
// then restore. The backup is checked first and copied under a temporary
// name, so dst appears whole or not at all.
func Restore(ctx context.Context, src, dst string) error {
	for _, f := range []string{dst, dst + "-wal", dst + "-shm"} {
		if _, err := os.Lstat(f); err == nil {
			return fmt.Errorf("%s exists: a restore never overwrites a database. Stop the server, move %s and its -wal and -shm files away, and restore again", f, dst)
		}
	}
	if err := Check(ctx, src); err != nil {
		return fmt.Errorf("%s is not a whole backup: %w", src, err)
	}
	tmp, err := partialName(dst)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("%w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("%w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy to %s: %w", tmp, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("%w", err)
	}
	return commitFile(tmp, dst)
}

// Check opens the SQLite file at path read-only and runs integrity_check:
// an error names what is wrong, such as a file cut short.
func Check(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	var header [16]byte
	_, err = io.ReadFull(f, header[:])
	f.Close()
	if err != nil || string(header[:]) != "SQLite format 3\x00" {
		return fmt.Errorf("%s is not a SQLite database", path)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&immutable=1")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s is damaged: %s", path, strings.Join(problems, "; "))
	}
	var v int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil || v == 0 {
		return fmt.Errorf("%s is not a civicmon database (no schema version)", path)
	}
	return nil
}

// partialName is a hidden name beside dst for the file being written.
func partialName(dst string) (string, error) {
	var b [6]byte
	rand.Read(b[:])
	dir, base := filepath.Split(dst)
	if base == "" {
		return "", errors.New("no file name given")
	}
	return filepath.Join(dir, "."+base+".partial-"+hex.EncodeToString(b[:])), nil
}

// commitFile syncs tmp, renames it to dst (which must not exist) and syncs
// the directory, so that after a crash dst is either absent or whole.
func commitFile(tmp, dst string) error {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	f.Close()
	// A link fails when dst exists, where a rename would replace it.
	if err := os.Link(tmp, dst); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s appeared meanwhile; not replaced", dst)
		}
		return err
	}
	if d, err := os.Open(filepath.Dir(dst)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
