package sqldb

// SetAfterPrepare has IndexDeferred run fn between analysing a chunk of
// ids and writing it, so that a test can change an update in between.
func (db *DB) SetAfterPrepare(fn func(first, upto int64)) { db.afterPrepare = fn }
