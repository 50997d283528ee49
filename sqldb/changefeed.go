package sqldb

// The change feed as the statistics index (package stats) reads it: the
// id ranges search_log names, and the facts of published updates in a
// range. See civicmon.ChangeFeed and docs/architecture.md, "Statistics".

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
)

// Commits counts this process's committed write transactions.
func (s *Store) Commits() uint64 { return s.db.Commits() }

func (s *Store) ChangePosition(ctx context.Context) (civicmon.ChangePosition, error) {
	var p civicmon.ChangePosition
	err := s.db.read.QueryRowContext(ctx, `SELECT (SELECT data_version FROM civicmon_meta WHERE id = 1),
		(SELECT COALESCE(MAX(seq), 0) FROM search_log)`).Scan(&p.DataVersion, &p.Seq)
	return p, err
}

func (s *Store) ChangedUpdates(ctx context.Context, after, upTo int64) ([]civicmon.IDRange, error) {
	rows, err := s.db.read.QueryContext(ctx, s.q(`SELECT first_id, last_id FROM search_log
		WHERE seq > ? AND seq <= ? ORDER BY first_id, last_id`), after, upTo)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civicmon.IDRange
	for rows.Next() {
		var r civicmon.IDRange
		if err := rows.Scan(&r.First, &r.Last); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && r.First <= out[n-1].Last+1 {
			out[n-1].Last = max(out[n-1].Last, r.Last)
		} else {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// factsChunk is how many updates UpdateFacts reads per query: the
// incidents of a chunk are read by one range query after it.
const factsChunk = 20000

func (s *Store) UpdateFacts(ctx context.Context, r civicmon.IDRange, fn func(f *civicmon.UpdateFacts) error) error {
	first, last := r.First, r.Last
	if r == (civicmon.IDRange{}) {
		first, last = 0, math.MaxInt64
	}
	facts := make([]civicmon.UpdateFacts, 0, 256)
	after := first - 1
	for {
		facts = facts[:0]
		rows, err := s.db.read.QueryContext(ctx, s.q(`SELECT id, `+dayOf(s.db, "published_on")+`, country_code, freedoms, violations
			FROM updates WHERE status = 'published' AND id > ? AND id <= ? ORDER BY id LIMIT `+strconv.Itoa(factsChunk)), after, last)
		if err != nil {
			return err
		}
		for rows.Next() {
			var f civicmon.UpdateFacts
			var day, freedoms int64
			var violations string
			if err := rows.Scan(&f.ID, &day, &f.CountryCode, &freedoms, &violations); err != nil {
				rows.Close()
				return err
			}
			f.PublishedOn, f.Freedoms = epochDate(day), civicmon.FreedomSet(freedoms)
			f.Violations = strings.Fields(violations)
			facts = append(facts, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(facts) == 0 {
			return nil
		}
		lo, hi := facts[0].ID, facts[len(facts)-1].ID
		irows, err := s.db.read.QueryContext(ctx, s.q(`SELECT update_id, `+dayOf(s.db, "occurred_on")+`, freedom, violation,
			COALESCE(target, ''), people_affected FROM incidents WHERE update_id BETWEEN ? AND ? ORDER BY update_id, position`), lo, hi)
		if err != nil {
			return err
		}
		i := 0
		for irows.Next() {
			var id, day int64
			var in civicmon.IncidentFacts
			var freedom string
			if err := irows.Scan(&id, &day, &freedom, &in.Violation, &in.Target, &in.PeopleAffected); err != nil {
				irows.Close()
				return err
			}
			in.Freedom = civicmon.Freedom(freedom)
			if day != 0 {
				in.OccurredOn = epochDate(day)
			}
			for i < len(facts) && facts[i].ID < id {
				i++
			}
			if i < len(facts) && facts[i].ID == id { // else: an unpublished update's
				facts[i].Incidents = append(facts[i].Incidents, in)
			}
		}
		irows.Close()
		if err := irows.Err(); err != nil {
			return err
		}
		for i := range facts {
			if err := fn(&facts[i]); err != nil {
				return err
			}
		}
		if len(facts) < factsChunk {
			return nil
		}
		after = hi
	}
}

func (s *Store) AllRatings(ctx context.Context) ([]civicmon.Rating, error) {
	return s.ratings(ctx, `SELECT `+ratingColumns+` FROM ratings ORDER BY country_code, effective_date, id`)
}

// dayOf is the SQL of a date column as days since 1970-01-01, 0 for NULL.
func dayOf(db *DB, col string) string { return db.dialect.DayOf(col) }

func epochDate(day int64) civicmon.Date {
	return civicmon.DateOf(time.Unix(day*86400, 0).UTC())
}
