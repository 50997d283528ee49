package sqldb

// SetAfterPrepare has IndexDeferred run fn between analysing a chunk and
// writing it, so that a test can change an update in between.
func (db *DB) SetAfterPrepare(fn func()) { db.afterPrepare = fn }
