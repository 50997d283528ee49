package stats

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"

	"github.com/civicmon/civicmon"
)

// populationCSV is the World Bank's total population per country and year
// (indicator SP.POP.TOTL), as the Frictionless data package
// datasets/population publishes it (licence PDDL 1.0):
// `Country Name,Country Code,Year,Value`, with ISO 3166-1 alpha-3 codes.
// Aggregates (regions, income groups, "World") are rows too; they match no
// country's code and so are never summed.
//
//go:embed population-worldbank.csv
var populationCSV []byte

// PopulationCredit is the credit shown wherever a share is.
const PopulationCredit = "Population: World Bank (SP.POP.TOTL)"

type populationTable struct {
	byCode   map[string]map[int]int64 // alpha-3 → year → people
	lastYear int
}

var population = sync.OnceValues(func() (*populationTable, error) {
	return parsePopulation(populationCSV)
})

func parsePopulation(b []byte) (*populationTable, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = 4
	t := &populationTable{byCode: map[string]map[int]int64{}}
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("population table: %w", err)
	}
	if head[1] != "Country Code" || head[2] != "Year" || head[3] != "Value" {
		return nil, fmt.Errorf("population table: header %q, want Country Name,Country Code,Year,Value", head)
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("population table: %w", err)
		}
		year, err1 := strconv.Atoi(rec[2])
		value, err2 := strconv.ParseFloat(rec[3], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("population table, line %d: year %q or value %q is not a number", line, rec[2], rec[3])
		}
		m := t.byCode[rec[1]]
		if m == nil {
			m = map[int]int64{}
			t.byCode[rec[1]] = m
		}
		m[year] = int64(value)
		t.lastYear = max(t.lastYear, year)
	}
	return t, nil
}

// Shares is the population living in each category in a year.
type Shares struct {
	// Year is the population figures' year: the distribution's year, or
	// the latest the table holds when that is earlier.
	Year int
	// People per category (civicmon.Categories order) and in all rated
	// countries with a figure; Share is People over Total.
	People [5]int64
	Share  [5]float64
	Total  int64
	// Missing names the rated countries with no figure for Year (Taiwan:
	// the World Bank does not list it); they are left out of every sum.
	Missing []string
}

// PopulationShares weighs a distribution by population.
func (ix *Index) PopulationShares(d *Distribution) (*Shares, error) {
	t, err := population()
	if err != nil {
		return nil, err
	}
	s := &Shares{Year: min(d.Date.Year(), t.lastYear)}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for cat, codes := range d.Countries {
		for _, code := range codes {
			var people int64
			if c, ok := ix.countries[code]; ok {
				people = t.byCode[c.Code3][s.Year]
			}
			if people <= 0 {
				s.Missing = append(s.Missing, code)
				continue
			}
			s.People[cat] += people
			s.Total += people
		}
	}
	slices.Sort(s.Missing)
	if s.Total > 0 {
		for i := range s.People {
			s.Share[i] = float64(s.People[i]) / float64(s.Total)
		}
	}
	return s, nil
}

// Population is a country's population in a year (false when the table
// has no figure).
func Population(c *civicmon.Country, year int) (int64, bool) {
	t, err := population()
	if err != nil {
		return 0, false
	}
	n, ok := t.byCode[c.Code3][year]
	return n, ok && n > 0
}
