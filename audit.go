package civicmon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one line of the append-only audit log. Each entry holds
// the hash of the one before it, so that an entry changed, removed or moved
// afterwards breaks the chain where it was touched.
type AuditEntry struct {
	ID       int64 // 1, 2, 3… with no gap
	At       time.Time
	ActorID  int64  // the account that acted; 0 for the system or the CLI
	Action   string // "update.create", "rating.approve", "user.login"…
	Entity   string // "update", "rating", "user"…
	EntityID string
	Detail   string
	PrevHash string
	Hash     string
}

// GenesisHash is the PrevHash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash returns the entry's hash over its id, content and PrevHash.
// The id is part of it, so two entries swapped keep neither hash.
func (e *AuditEntry) ComputeHash() string {
	var b strings.Builder
	b.WriteString(strconv.FormatInt(e.ID, 10))
	for _, f := range []string{e.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(e.ActorID, 10),
		e.Action, e.Entity, e.EntityID, e.Detail, e.PrevHash} {
		b.WriteByte(0)
		b.WriteString(f)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// AuditProblem is the first place the chain breaks.
type AuditProblem struct {
	ID     int64 // the entry where the break shows
	Reason string
}

func (p *AuditProblem) Error() string { return fmt.Sprintf("audit log entry %d: %s", p.ID, p.Reason) }

// AuditVerifier checks entries one by one, in id order.
type AuditVerifier struct {
	prev    *AuditEntry
	Checked int64
}

// Next checks e against the entry before it, and returns the first problem.
func (v *AuditVerifier) Next(e *AuditEntry) *AuditProblem {
	wantID, wantPrev := int64(1), GenesisHash
	if v.prev != nil {
		wantID, wantPrev = v.prev.ID+1, v.prev.Hash
	}
	switch {
	case e.Hash != e.ComputeHash():
		return &AuditProblem{e.ID, "changed or moved: its content does not match its hash"}
	case e.ID != wantID:
		return &AuditProblem{e.ID, fmt.Sprintf("entries removed or reordered: expected entry %d next, found %d", wantID, e.ID)}
	case e.PrevHash != wantPrev:
		return &AuditProblem{e.ID, "does not follow the entry before it: an entry was removed, reordered, or changed and rehashed"}
	}
	v.prev = e
	v.Checked++
	return nil
}

// Head is the hash of the last entry checked: publish or store it elsewhere
// to detect the removal of entries at the end of the log, which no chain
// can show by itself.
func (v *AuditVerifier) Head() string {
	if v.prev == nil {
		return GenesisHash
	}
	return v.prev.Hash
}

type actorKey struct{}

// WithActor marks ctx as acting for the account with the given id, so that
// the store's audit entries and revisions name who did what.
func WithActor(ctx context.Context, userID int64) context.Context {
	return context.WithValue(ctx, actorKey{}, userID)
}

// ActorFrom returns the account ctx acts for, 0 for the system.
func ActorFrom(ctx context.Context) int64 {
	id, _ := ctx.Value(actorKey{}).(int64)
	return id
}

// VerifyAudit walks the store's whole audit log and returns the first
// problem (nil when the chain holds), the number of entries that held, and
// the hash of the last of them.
func VerifyAudit(ctx context.Context, s Store) (*AuditProblem, int64, string, error) {
	var v AuditVerifier
	var problem *AuditProblem
	errStop := errors.New("stop")
	err := s.AuditLog(ctx, func(e *AuditEntry) error {
		if problem = v.Next(e); problem != nil {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, v.Checked, "", err
	}
	return problem, v.Checked, v.Head(), nil
}
