// Package demo loads civicmon's demo dataset: every country and territory
// the CIVICUS Monitor rates, the public ratings data with its sources,
// Kazakhstan's rating history and watchlist entries, and the Kazakhstan
// dossier written from the seed country page.
//
// The data files live in data/ and are embedded. Nothing invented is
// presented as fact: dates that the sources do not give are marked
// approximate, and ratings published without a score carry none.
package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base32"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
)

//go:embed data/*.csv data/*.json
var files embed.FS

// Stats counts what a load stored.
type Stats struct {
	Countries, Ratings, Updates, Incidents, WatchlistEditions int
}

func (s Stats) String() string {
	return fmt.Sprintf("%d countries, %d ratings, %d updates with %d incidents, %d watchlist editions",
		s.Countries, s.Ratings, s.Updates, s.Incidents, s.WatchlistEditions)
}

// ErrNotEmpty is returned when the database already holds data: the demo
// is loaded only into a new database, never over real work.
var ErrNotEmpty = civicmon.Errorf(civicmon.ECONFLICT,
	"the database is not empty: the demo data is loaded only into a new, empty database (use another --db)")

// Load stores the whole demo dataset in one transaction: all of it, or on
// any error nothing.
func Load(ctx context.Context, s civicmon.Store) (Stats, error) {
	var st Stats
	countries, err := Countries()
	if err != nil {
		return st, err
	}
	ratings, err := Ratings()
	if err != nil {
		return st, err
	}
	updates, err := KazakhstanUpdates()
	if err != nil {
		return st, err
	}
	editions, err := WatchlistEditions()
	if err != nil {
		return st, err
	}
	err = s.InTx(ctx, func(tx civicmon.Store) error {
		st = Stats{}
		if existing, err := tx.Countries(ctx); err != nil {
			return err
		} else if len(existing) > 0 {
			return ErrNotEmpty
		}
		if _, n, err := tx.FindUpdates(ctx, civicmon.UpdateFilter{Limit: 1}); err != nil {
			return err
		} else if n > 0 {
			return ErrNotEmpty
		}
		for i := range countries {
			if err := tx.PutCountry(ctx, &countries[i]); err != nil {
				return fmt.Errorf("country %s: %w", countries[i].Code, err)
			}
			st.Countries++
		}
		for i := range ratings {
			if err := tx.AddRating(ctx, &ratings[i]); err != nil {
				return fmt.Errorf("rating %s %s: %w", ratings[i].CountryCode, ratings[i].EffectiveDate, err)
			}
			st.Ratings++
		}
		// Oldest first, so that internal ids follow publication order.
		for i := len(updates) - 1; i >= 0; i-- {
			if err := tx.CreateUpdate(ctx, &updates[i]); err != nil {
				return fmt.Errorf("update %q: %w", updates[i].Title, err)
			}
			st.Updates++
			st.Incidents += len(updates[i].Incidents)
		}
		for i := range editions {
			if err := tx.CreateWatchlistEdition(ctx, &editions[i]); err != nil {
				return fmt.Errorf("watchlist %s: %w", editions[i].PublishedOn, err)
			}
			st.WatchlistEditions++
		}
		return nil
	})
	if err != nil {
		return Stats{}, err
	}
	return st, nil
}

// LoadCountries stores the reference list of countries, replacing stored
// ones with the same codes. Synthetic data generation needs them.
func LoadCountries(ctx context.Context, s civicmon.Store) (int, error) {
	countries, err := Countries()
	if err != nil {
		return 0, err
	}
	err = s.InTx(ctx, func(tx civicmon.Store) error {
		for i := range countries {
			if err := tx.PutCountry(ctx, &countries[i]); err != nil {
				return fmt.Errorf("country %s: %w", countries[i].Code, err)
			}
		}
		return nil
	})
	return len(countries), err
}

// readCSV reads an embedded CSV file with the given header, and calls row
// for each record with its line number.
func readCSV(name string, header []string, row func(line int, rec []string) error) error {
	b, err := files.ReadFile("data/" + name)
	if err != nil {
		return err
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = len(header)
	got, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if strings.Join(got, ",") != strings.Join(header, ",") {
		return fmt.Errorf("%s: header is %q, want %q", name, strings.Join(got, ","), strings.Join(header, ","))
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		if err := row(line, rec); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
}

// Countries returns every country and territory of the demo data.
func Countries() ([]civicmon.Country, error) {
	var out []civicmon.Country
	err := readCSV("countries.csv", []string{"code", "code3", "name", "slug", "region"}, func(_ int, r []string) error {
		c := civicmon.Country{Code: r[0], Code3: r[1], Name: r[2], Slug: r[3], Region: civicmon.Region(r[4])}
		if err := c.Validate(); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// yearDates maps the year of a row of the ratings data to the date its
// ratings were published. The data gives only the year, so every such
// rating is marked approximate.
var yearDates = map[int]string{
	2017: "2017-12-01", // state of the Monitor before June 2018
	2020: "2020-12-09", // People Power Under Attack 2020
	2021: "2021-12-08", // People Power Under Attack 2021
}

// Ratings returns the ratings data with its sources, plus Kazakhstan's
// downgrade of 21 June 2022, oldest first per country.
func Ratings() ([]civicmon.Rating, error) {
	type change = struct{ code, year, from, to, source string }
	changes := map[string]change{}
	var order []string
	err := readCSV("civicus-rating-changes.csv", []string{"iso2", "country", "year", "from", "to", "source"}, func(_ int, r []string) error {
		changes[r[0]+r[2]] = change{r[0], r[2], r[3], r[4], r[5]}
		order = append(order, r[0]+r[2])
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []civicmon.Rating
	rated := map[string]bool{}
	err = readCSV("civicus-ratings.csv", []string{"iso2", "country", "year", "rating", "source"}, func(_ int, r []string) error {
		year, err := strconv.Atoi(r[2])
		if err != nil {
			return fmt.Errorf("year %q is not a number", r[2])
		}
		date, ok := yearDates[year]
		if !ok {
			return fmt.Errorf("year %d has no publication date in demo.yearDates", year)
		}
		cat, ok := civicmon.ParseCategory(r[3])
		if !ok {
			return fmt.Errorf("rating %q is not a category", r[3])
		}
		rationale := fmt.Sprintf("Rated %s in the CIVICUS Monitor's %d ratings.", cat.Name(), year)
		if c, ok := changes[r[0]+r[2]]; ok {
			rationale = fmt.Sprintf("Rating changed from %s to %s in %d.", c.from, c.to, year)
		}
		out = append(out, civicmon.Rating{
			CountryCode: r[0], EffectiveDate: civicmon.MustDate(date), DateApproximate: true,
			Category: cat, Rationale: rationale, Source: "CIVICUS Monitor, via " + r[4],
		})
		rated[r[0]+r[2]] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The 2021 ratings file covers only part of the world; an announced
	// change is a rating in its own right where that file has none.
	for _, k := range order {
		c := changes[k]
		if rated[k] {
			continue
		}
		year, _ := strconv.Atoi(c.year)
		cat, ok := civicmon.ParseCategory(c.to)
		date, known := yearDates[year]
		if !ok || !known {
			return nil, fmt.Errorf("civicus-rating-changes.csv: %s %s: cannot use %q in %d", c.code, c.year, c.to, year)
		}
		out = append(out, civicmon.Rating{
			CountryCode: c.code, EffectiveDate: civicmon.MustDate(date), DateApproximate: true, Category: cat,
			Rationale: fmt.Sprintf("Rating changed from %s to %s in %d.", c.from, c.to, year),
			Source:    "CIVICUS Monitor, via " + c.source,
		})
	}
	// The files give the 2017 and 2020 ratings but not those between: a
	// country whose category before its 2020 rating differs from its 2017
	// one changed in 2018 or 2019. Its category at the end of 2019 is known
	// — the announced change's "from", or the 2020 category when no change
	// was announced — and is a rating of its own (dated approximately),
	// so that the history's changes of 2020 are exactly the announced ones.
	before, err := ratingsBefore(out, changes)
	if err != nil {
		return nil, err
	}
	out = append(out, before...)
	out = append(out, civicmon.Rating{
		CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2022-06-21"), Category: civicmon.Repressed,
		Rationale: "Rating changed from Obstructed to Repressed.",
		Source:    "CIVICUS Monitor, public material",
	})
	return out, nil
}

// beforeDates is where a category in force before a year's ratings, and
// not given by the files, is dated: the report before.
var beforeDates = map[int]string{
	2020: "2019-12-04", // People Power Under Attack 2019
}

func ratingsBefore(rs []civicmon.Rating, changes map[string]struct{ code, year, from, to, source string }) ([]civicmon.Rating, error) {
	var out []civicmon.Rating
	for _, r := range rs {
		year := r.EffectiveDate.Year()
		var prev *civicmon.Rating
		for i := range rs {
			p := &rs[i]
			if p.CountryCode == r.CountryCode && p.EffectiveDate.Before(r.EffectiveDate) && (prev == nil || p.EffectiveDate.After(prev.EffectiveDate)) {
				prev = p
			}
		}
		if prev == nil {
			continue
		}
		want, announced := r.Category, false
		if c, ok := changes[r.CountryCode+strconv.Itoa(year)]; ok {
			cat, ok := civicmon.ParseCategory(c.from)
			if !ok {
				return nil, fmt.Errorf("civicus-rating-changes.csv: %s %s: %q is not a category", c.code, c.year, c.from)
			}
			want, announced = cat, true
		}
		if prev.Category == want {
			continue
		}
		date, ok := beforeDates[year]
		if !ok {
			return nil, fmt.Errorf("%s: rated %s before its %d rating, then %s: no date for the rating between (demo.beforeDates)",
				r.CountryCode, prev.Category, year, want)
		}
		why := fmt.Sprintf("%s before the %d ratings, which announced no change for it", want.Name(), year)
		if announced {
			why = fmt.Sprintf("%s before the change announced in %d", want.Name(), year)
		}
		out = append(out, civicmon.Rating{
			CountryCode: r.CountryCode, EffectiveDate: civicmon.MustDate(date), DateApproximate: true, Category: want,
			Rationale: why + fmt.Sprintf("; rated %s in %d. The date of the change in between is not in the public data.",
				prev.Category.Name(), prev.EffectiveDate.Year()),
			Source: "CIVICUS Monitor, inferred from the ratings and the announced changes",
		})
	}
	return out, nil
}

type dossierFile struct {
	Country string          `json:"country"`
	Note    string          `json:"note"`
	Updates []dossierUpdate `json:"updates"`
}

type dossierUpdate struct {
	Slug            string             `json:"slug"`
	Title           string             `json:"title"`
	Summary         string             `json:"summary"`
	Body            string             `json:"body"`
	PublishedOn     civicmon.Date      `json:"published_on"`
	DateApproximate bool               `json:"date_approximate"`
	PeriodStart     civicmon.Date      `json:"period_start"`
	PeriodEnd       civicmon.Date      `json:"period_end"`
	Freedoms        []civicmon.Freedom `json:"freedoms"`
	Violations      []string           `json:"violations"`
	Incidents       []struct {
		OccurredOn      civicmon.Date    `json:"occurred_on"`
		DateApproximate bool             `json:"date_approximate"`
		Freedom         civicmon.Freedom `json:"freedom"`
		Violation       string           `json:"violation"`
		Target          string           `json:"target"`
		PeopleAffected  int              `json:"people_affected"`
		Place           string           `json:"place"`
		Description     string           `json:"description"`
	} `json:"incidents"`
}

// KazakhstanUpdates returns the ten updates of the Kazakhstan dossier,
// newest first, as the seed country page lists them.
func KazakhstanUpdates() ([]civicmon.Update, error) {
	b, err := files.ReadFile("data/kazakhstan.json")
	if err != nil {
		return nil, err
	}
	var f dossierFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("kazakhstan.json: %w", err)
	}
	out := make([]civicmon.Update, len(f.Updates))
	for i, d := range f.Updates {
		u := civicmon.Update{
			UID: stableUID(d.Slug), Slug: d.Slug, CountryCode: f.Country,
			Title: d.Title, Summary: d.Summary, Body: d.Body,
			PublishedOn: d.PublishedOn, DateApproximate: d.DateApproximate,
			PeriodStart: d.PeriodStart, PeriodEnd: d.PeriodEnd,
			Freedoms: civicmon.NewFreedomSet(d.Freedoms...), Violations: d.Violations,
			Language: "en", Status: civicmon.StatusPublished,
		}
		for _, in := range d.Incidents {
			u.Incidents = append(u.Incidents, civicmon.Incident{
				OccurredOn: in.OccurredOn, DateApproximate: in.DateApproximate, Freedom: in.Freedom,
				Violation: in.Violation, Target: in.Target, PeopleAffected: in.PeopleAffected,
				Place: in.Place, Description: in.Description,
			})
		}
		if err := u.Validate(civicmon.DefaultVocabulary()); err != nil {
			return nil, fmt.Errorf("kazakhstan.json: updates[%d]: %w", i, err)
		}
		out[i] = u
	}
	return out, nil
}

// stableUID derives an update's stable id from its slug, so that the demo
// dataset is the same on every machine.
func stableUID(slug string) string {
	h := sha256.Sum256([]byte("civicmon-demo:" + slug))
	return strings.ToLower(base32.StdEncoding.EncodeToString(h[:]))[:20]
}

type watchlistFile struct {
	Editions []struct {
		PublishedOn     civicmon.Date `json:"published_on"`
		DateApproximate bool          `json:"date_approximate"`
		Title           string        `json:"title"`
		Introduction    string        `json:"introduction"`
		Entries         []struct {
			Country   string `json:"country"`
			Narrative string `json:"narrative"`
		} `json:"entries"`
	} `json:"editions"`
}

// WatchlistEditions returns the demo watchlist editions, oldest first.
func WatchlistEditions() ([]civicmon.WatchlistEdition, error) {
	b, err := files.ReadFile("data/watchlist.json")
	if err != nil {
		return nil, err
	}
	var f watchlistFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("watchlist.json: %w", err)
	}
	var out []civicmon.WatchlistEdition
	for _, e := range f.Editions {
		w := civicmon.WatchlistEdition{PublishedOn: e.PublishedOn, DateApproximate: e.DateApproximate, Title: e.Title, Introduction: e.Introduction}
		for _, en := range e.Entries {
			w.Entries = append(w.Entries, civicmon.WatchlistEntry{CountryCode: en.Country, Narrative: en.Narrative})
		}
		out = append(out, w)
	}
	return out, nil
}
