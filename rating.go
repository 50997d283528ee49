package civicmon

import (
	"fmt"
	"strings"
	"time"
)

// Category is one of the five steps of the rating scale, from the most open
// to the most closed civic space.
type Category string

const (
	Open       Category = "open"
	Narrowed   Category = "narrowed"
	Obstructed Category = "obstructed"
	Repressed  Category = "repressed"
	Closed     Category = "closed"
)

// Categories lists the scale from Open to Closed.
var Categories = []Category{Open, Narrowed, Obstructed, Repressed, Closed}

type band struct{ min, max int }

var categoryBands = map[Category]band{
	Open:       {81, 100},
	Narrowed:   {61, 80},
	Obstructed: {41, 60},
	Repressed:  {21, 40},
	Closed:     {1, 20},
}

// Name is the category's English display word: "Repressed".
func (c Category) Name() string {
	if !c.Valid() {
		return string(c)
	}
	return strings.ToUpper(string(c[:1])) + string(c[1:])
}

// Valid reports whether c is one of the five categories.
func (c Category) Valid() bool { _, ok := categoryBands[c]; return ok }

// Band returns the lowest and highest score of the category.
func (c Category) Band() (min, max int) { b := categoryBands[c]; return b.min, b.max }

// BandString is the score band for display: "21–40".
func (c Category) BandString() string {
	lo, hi := c.Band()
	return fmt.Sprintf("%d–%d", lo, hi)
}

// Rank is 1 for Open through 5 for Closed, for ordering and comparisons.
func (c Category) Rank() int {
	for i, x := range Categories {
		if x == c {
			return i + 1
		}
	}
	return 0
}

// ParseCategory accepts a category's slug or display word, in any case.
func ParseCategory(s string) (Category, bool) {
	c := Category(strings.ToLower(strings.TrimSpace(s)))
	return c, c.Valid()
}

// CategoryForScore returns the category whose band holds score, or false
// when score is outside 1–100.
func CategoryForScore(score int) (Category, bool) {
	for _, c := range Categories {
		if b := categoryBands[c]; score >= b.min && score <= b.max {
			return c, true
		}
	}
	return "", false
}

// Rating is a country's rating from an effective date on. A country's ratings
// form its history; the current rating is the latest effective one.
type Rating struct {
	ID            int64
	CountryCode   string
	EffectiveDate Date
	// DateApproximate is set when the source gives only a year or a
	// publication, not the day the rating took effect.
	DateApproximate bool
	// Score is the 1–100 score, or 0 where the source publishes only the
	// category (as the public data before 2022 does): a score is never made up.
	Score     int
	Category  Category
	Rationale string
	Source    string // where the rating comes from, e.g. a report or data file
	CreatedAt time.Time
}

// HasScore reports whether the rating carries a published score.
func (r *Rating) HasScore() bool { return r.Score != 0 }

// Validate checks the rating. A rating with a score gets its category from
// the score's band when none is given; a given category must match the band.
func (r *Rating) Validate() error {
	v := validator{prefix: "rating"}
	if !alpha2.MatchString(r.CountryCode) {
		v.addf("country", "%q is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. KZ)", r.CountryCode)
	}
	if r.EffectiveDate.IsZero() {
		v.addf("effective_date", "is required (YYYY-MM-DD)")
	}
	if r.Score == 0 && r.Category == "" {
		v.addf("score", "a score (1–100) or a category is required")
	} else if r.Score != 0 {
		if want, ok := CategoryForScore(r.Score); !ok {
			v.addf("score", "%d is outside the allowed range 1–100", r.Score)
		} else if r.Category == "" {
			r.Category = want
		} else if r.Category != want {
			lo, hi := r.Category.Band()
			if r.Category.Valid() {
				v.addf("category", "%s does not match score %d: %s is %d–%d, score %d is %s (%s)",
					r.Category.Name(), r.Score, r.Category.Name(), lo, hi, r.Score, want.Name(), want.BandString())
			} else {
				v.addf("category", "%q is not a category; allowed: %s", r.Category, joinCategories())
			}
		}
	} else if !r.Category.Valid() {
		v.addf("category", "%q is not a category; allowed: %s", r.Category, joinCategories())
	}
	if len(r.Rationale) > 20000 {
		v.addf("rationale", "is %d characters long; at most 20000 are allowed", len(r.Rationale))
	}
	return v.err()
}

func joinCategories() string {
	s := make([]string, len(Categories))
	for i, c := range Categories {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}
