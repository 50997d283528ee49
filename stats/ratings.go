package stats

import (
	"context"
	"slices"
	"strings"

	"github.com/civicmon/civicmon"
)

// Place selects countries for the rating statistics. Zero fields do not
// filter.
type Place struct {
	Region  civicmon.Region
	Country string
}

func (ix *Index) inPlace(n int, pl Place) bool {
	if pl.Country != "" && ix.countryCode[n] != pl.Country {
		return false
	}
	if pl.Region != "" && (ix.region[n] < 0 || civicmon.Regions[ix.region[n]] != pl.Region) {
		return false
	}
	_, known := ix.countries[ix.countryCode[n]]
	return known
}

// Distribution is how many countries were in each category on a day.
type Distribution struct {
	Date civicmon.Date
	// Counts and Countries (codes, sorted) in civicmon.Categories order,
	// Open first.
	Counts    [5]int
	Countries [5][]string
	Rated     int
	// Unrated names the countries with no rating in force on the day.
	Unrated []string
}

// CategoryOn is the category of the rating in force on the day: the
// latest effective on or before it (of two on one day, the later stored).
func (ix *Index) categoryOn(n int, day int32) (ratingPoint, bool) {
	rs := ix.ratings[n]
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].day <= day {
			return rs[i], true
		}
	}
	return ratingPoint{}, false
}

// Distribution counts the countries per category on the day.
func (ix *Index) Distribution(ctx context.Context, on civicmon.Date, pl Place) (*Distribution, error) {
	if err := ix.Fresh(ctx); err != nil {
		return nil, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	d := &Distribution{Date: on}
	day := epochDay(on)
	for n, code := range ix.countryCode {
		if !ix.inPlace(n, pl) {
			continue
		}
		r, ok := ix.categoryOn(n, day)
		if !ok || r.cat < 0 {
			d.Unrated = append(d.Unrated, code)
			continue
		}
		d.Counts[r.cat]++
		d.Countries[r.cat] = append(d.Countries[r.cat], code)
		d.Rated++
	}
	for i := range d.Countries {
		slices.Sort(d.Countries[i])
	}
	slices.Sort(d.Unrated)
	return d, nil
}

// RatingOn is the rating a country had on a day: its category, its score
// (0 where none was published) and whether its date is approximate; false
// when it had none yet.
func (ix *Index) RatingOn(ctx context.Context, code string, on civicmon.Date) (civicmon.Rating, bool, error) {
	if err := ix.Fresh(ctx); err != nil {
		return civicmon.Rating{}, false, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n, ok := ix.countryNum[code]
	if !ok {
		return civicmon.Rating{}, false, nil
	}
	r, ok := ix.categoryOn(int(n), epochDay(on))
	if !ok || r.cat < 0 {
		return civicmon.Rating{}, false, nil
	}
	return r.rating(code), true, nil
}

func (r ratingPoint) rating(code string) civicmon.Rating {
	return civicmon.Rating{CountryCode: code, EffectiveDate: dayDate(r.day), DateApproximate: r.approx,
		Score: int(r.score), Category: civicmon.Categories[r.cat]}
}

// Change is a country's move from one category to another.
type Change struct {
	CountryCode     string
	Date            civicmon.Date
	DateApproximate bool
	From, To        civicmon.Category
}

// Up reports whether the change is an upgrade (towards Open).
func (c Change) Up() bool { return c.To.Rank() < c.From.Rank() }

// Changes lists the category changes that took effect in the year, by
// date and country: a rating whose category differs from the one before
// it. A new score in the same category is no change. Ratings after asOf
// (scheduled ones) are left out; the zero date leaves out none.
func (ix *Index) Changes(ctx context.Context, year int, pl Place, asOf civicmon.Date) ([]Change, error) {
	if err := ix.Fresh(ctx); err != nil {
		return nil, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	from, to := epochDay(civicmon.NewDate(year, 1, 1)), epochDay(civicmon.NewDate(year, 12, 31))
	if !asOf.IsZero() {
		to = min(to, epochDay(asOf))
	}
	var out []Change
	for n, code := range ix.countryCode {
		if !ix.inPlace(n, pl) {
			continue
		}
		rs := ix.ratings[n]
		for i := 1; i < len(rs); i++ {
			a, b := rs[i-1], rs[i]
			if b.day < from || b.day > to || a.cat == b.cat || a.cat < 0 || b.cat < 0 {
				continue
			}
			out = append(out, Change{CountryCode: code, Date: dayDate(b.day), DateApproximate: b.approx,
				From: civicmon.Categories[a.cat], To: civicmon.Categories[b.cat]})
		}
	}
	slices.SortFunc(out, func(a, b Change) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		return strings.Compare(a.CountryCode, b.CountryCode)
	})
	return out, nil
}

// ChangeYear is one year's number of upgrades and downgrades.
type ChangeYear struct {
	Year     int
	Up, Down int
}

// ChangeYears counts the upgrades and downgrades of every year with a
// change, oldest first, up to asOf (the zero date: all).
func (ix *Index) ChangeYears(ctx context.Context, pl Place, asOf civicmon.Date) ([]ChangeYear, error) {
	if err := ix.Fresh(ctx); err != nil {
		return nil, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	by := map[int]*ChangeYear{}
	for n := range ix.countryCode {
		if !ix.inPlace(n, pl) {
			continue
		}
		rs := ix.ratings[n]
		for i := 1; i < len(rs); i++ {
			a, b := rs[i-1], rs[i]
			if a.cat == b.cat || a.cat < 0 || b.cat < 0 || (!asOf.IsZero() && b.day > epochDay(asOf)) {
				continue
			}
			y := dayDate(b.day).Year()
			if by[y] == nil {
				by[y] = &ChangeYear{Year: y}
			}
			if b.cat < a.cat {
				by[y].Up++
			} else {
				by[y].Down++
			}
		}
	}
	out := make([]ChangeYear, 0, len(by))
	for _, c := range by {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b ChangeYear) int { return a.Year - b.Year })
	return out, nil
}

// RatingYears lists the years in which any rating took effect, oldest
// first, up to asOf.
func (ix *Index) RatingYears(ctx context.Context, asOf civicmon.Date) ([]int, error) {
	if err := ix.Fresh(ctx); err != nil {
		return nil, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	seen := map[int]bool{}
	for _, rs := range ix.ratings {
		for _, r := range rs {
			if r.day > epochDay(asOf) {
				continue
			}
			seen[dayDate(r.day).Year()] = true
		}
	}
	out := make([]int, 0, len(seen))
	for y := range seen {
		out = append(out, y)
	}
	slices.Sort(out)
	return out, nil
}

// Country returns a country the index knows, by code.
func (ix *Index) Country(code string) (*civicmon.Country, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	c, ok := ix.countries[code]
	return c, ok
}
