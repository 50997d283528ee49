package sqldb

import (
	"context"
	"errors"
	"fmt"
)

// BulkLoad runs fn, a long run of InsertUpdates calls such as `civicmon gen`
// makes, with the database tuned for it. fn calls committed after each
// call that stored a batch.
//
// On SQLite the writer normally copies the write-ahead log into the
// database file (a checkpoint, with its fsyncs) at the end of every large
// transaction, and waits for it. During BulkLoad the writer does not: after
// each batch committed starts a checkpoint on a reading connection, which
// runs while the writer stores the next batch. So that the log does not grow
// without end, committed waits for that checkpoint once the log has passed
// bulkLogFrames pages, and the next transaction starts the log afresh.
// BulkLoad returns after a last checkpoint, with the data in the database
// file. It changes nothing in what is stored or in how durable it is.
//
// Elsewhere (PostgreSQL, or inside InTx) BulkLoad just runs fn.
func (s *Store) BulkLoad(ctx context.Context, fn func(committed func() error) error) (err error) {
	if s.tx != nil || !s.db.dialect.SingleWriter {
		return fn(func() error { return nil })
	}
	// The write pool holds one connection, so these settings reach the
	// connection every write of the load goes through.
	var auto int
	if err := s.db.write.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil {
		return err
	}
	if _, err := s.db.write.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
		return err
	}
	defer func() {
		// A connection opened meanwhile has the default, so restoring this
		// one is all there is to do.
		_, rerr := s.db.write.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, auto))
		err = errors.Join(err, rerr)
	}()
	c := &checkpointer{db: s.db, ctx: context.WithoutCancel(ctx)}
	err = fn(c.committed)
	if werr := c.wait(); err == nil {
		err = werr
	}
	if err != nil {
		return err
	}
	_, err = c.checkpoint()
	return err
}

// bulkLogFrames is how many pages the log may hold before committed waits
// for the checkpoint so that the next transaction restarts it: 256 MB of
// 4 KB pages.
const bulkLogFrames = 65536

type checkpointer struct {
	db      *DB
	ctx     context.Context
	pending chan checkpointResult // the running checkpoint, or nil
	logged  int                   // pages in the log at the last checkpoint
}

type checkpointResult struct {
	logged int
	err    error
}

func (c *checkpointer) committed() error {
	if err := c.wait(); err != nil {
		return err
	}
	ch := make(chan checkpointResult, 1)
	go func() {
		n, err := c.checkpoint()
		ch <- checkpointResult{n, err}
	}()
	c.pending = ch
	if c.logged >= bulkLogFrames {
		return c.wait()
	}
	return nil
}

// wait waits for the running checkpoint, if any.
func (c *checkpointer) wait() error {
	if c.pending == nil {
		return nil
	}
	r := <-c.pending
	c.pending = nil
	c.logged = r.logged
	return r.err
}

// checkpoint copies what it can of the log into the database file without
// waiting for readers or the writer, and returns the pages in the log.
func (c *checkpointer) checkpoint() (int, error) {
	var busy, logged, done int
	if err := c.db.read.QueryRowContext(c.ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &done); err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	return logged, nil
}
