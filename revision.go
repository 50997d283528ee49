package civicmon

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"
)

// Revision is one change to an update, a rating or a watchlist edition, kept
// by the store in the transaction that made the change: who, when, what
// action, and the whole record after the change.
//
// Revisions are for editors only (the history:read permission): the
// snapshot holds the record's private fields too. What readers may see of
// them is Correction.
type Revision struct {
	ID        int64
	Entity    string // "update", "rating", "watchlist"
	EntityID  int64  // the record's internal id
	UserID    int64  // the account that acted; 0 for the system or the CLI
	CreatedAt time.Time
	Action    string // the audit action: "update.create", "update.save", "update.delete", "rating.add", "watchlist.create"
	// Snapshot is the JSON of the full record after the change, "" after
	// a deletion.
	Snapshot string
	// PublicNote is the editor's note to readers about this change (an
	// update's CorrectionNote), "" for none.
	PublicNote string
}

// Correction is what readers see of an edit to a published update: its date
// and the public note, never what changed or who changed it.
type Correction struct {
	Date Date   `json:"date"`
	Note string `json:"note"`
}

// Revisions reads the history the store keeps of every change.
//
// Updates inserted by the bulk path (InsertUpdates: generators and imports)
// get no revision per update; that path is audited per batch instead, and an
// update's history starts with its first edit.
type Revisions interface {
	// Revisions returns the record's revisions, oldest first.
	Revisions(ctx context.Context, entity string, entityID int64) ([]Revision, error)
	// Corrections returns the public notes of the edits made to an update
	// while it was published, oldest first.
	Corrections(ctx context.Context, updateID int64) ([]Correction, error)
}

// DiffLine is one line of a diff: Op is ' ' for a line both sides have, '-'
// for a line only the older has and '+' for one only the newer has.
type DiffLine struct {
	Op   byte
	Text string
}

// maxDiffCells bounds the work of the line LCS: past it, the differing
// middle of two snapshots is shown as removed then added.
const maxDiffCells = 4_000_000

// DiffSnapshots compares two revision snapshots line by line, for the
// editors' diff view. Both are pretty-printed (indented JSON) first, so a
// change shows as the fields it touched; "" (a deleted record, or no earlier
// revision) has no lines, and text that is not JSON is compared as it is.
func DiffSnapshots(before, after string) []DiffLine {
	a, b := snapshotLines(before), snapshotLines(after)
	var out []DiffLine
	// Lines common to both ends need no LCS: most edits touch a few fields.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	for _, l := range a[:pre] {
		out = append(out, DiffLine{' ', l})
	}
	out = append(out, diffLCS(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		out = append(out, DiffLine{' ', l})
	}
	return out
}

func snapshotLines(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(s), "", "  ") == nil {
		s = buf.String()
	}
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}

// diffLCS diffs a and b by their longest common subsequence of lines.
func diffLCS(a, b []string) []DiffLine {
	out := make([]DiffLine, 0, len(a)+len(b))
	if len(a)*len(b) > maxDiffCells {
		for _, l := range a {
			out = append(out, DiffLine{'-', l})
		}
		for _, l := range b {
			out = append(out, DiffLine{'+', l})
		}
		return out
	}
	// n[i][j] is the LCS length of a[i:] and b[j:].
	w := len(b) + 1
	n := make([]int32, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				n[i*w+j] = n[(i+1)*w+j+1] + 1
			} else {
				n[i*w+j] = max(n[(i+1)*w+j], n[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, DiffLine{' ', a[i]})
			i, j = i+1, j+1
		case n[(i+1)*w+j] >= n[i*w+j+1]:
			out = append(out, DiffLine{'-', a[i]})
			i++
		default:
			out = append(out, DiffLine{'+', b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, DiffLine{'-', a[i]})
	}
	for ; j < len(b); j++ {
		out = append(out, DiffLine{'+', b[j]})
	}
	return out
}
