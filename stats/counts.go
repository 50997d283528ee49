package stats

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
)

// Filter selects what is counted. Zero fields do not filter.
//
// An update counts by its publication date, country (and the country's
// region) and freedoms; an incident by its own date — the update's
// publication date when the incident has none — its update's country, and
// its own freedom.
type Filter struct {
	Year    int // a calendar year
	Region  civicmon.Region
	Freedom civicmon.Freedom
	Country string // ISO 3166-1 alpha-2 code
	// From and To bound the dates, both included (with Year: within it).
	From, To civicmon.Date
}

// Validate says which field is wrong, given the countries the index knows.
func (ix *Index) Validate(f Filter) error {
	var bad []string
	if f.Year != 0 && (f.Year < 1900 || f.Year > 2199) {
		bad = append(bad, fmt.Sprintf("year: %d is not a year between 1900 and 2199", f.Year))
	}
	if f.Region != "" && !f.Region.Valid() {
		bad = append(bad, fmt.Sprintf("region: %q is not a region", f.Region))
	}
	if f.Freedom != "" && !f.Freedom.Valid() {
		bad = append(bad, fmt.Sprintf("freedom: %q is not a freedom", f.Freedom))
	}
	if f.Country != "" {
		ix.mu.RLock()
		_, ok := ix.countries[f.Country]
		ix.mu.RUnlock()
		if !ok {
			bad = append(bad, fmt.Sprintf("country: %q is not a country code", f.Country))
		}
	}
	if len(bad) > 0 {
		return civicmon.Errorf(civicmon.EINVALID, "statistics filter: %s", strings.Join(bad, "; "))
	}
	return nil
}

// Tally is what a bucket counts.
type Tally struct {
	Updates   int `json:"updates"`
	Incidents int `json:"incidents"`
	// People is the sum of the people affected, over the incidents that
	// give a number (KnownPeople of them).
	People      int64 `json:"people_affected"`
	KnownPeople int   `json:"incidents_with_people_affected"`
}

// Bucket is one value of a dimension and its tally.
type Bucket struct {
	Key string `json:"key"`
	Tally
}

// Counts are every count of one filter.
type Counts struct {
	Filter Filter `json:"-"`
	Total  Tally  `json:"total"`
	// Years and Months ascending ("2020", "2020-05"); Regions and
	// Freedoms in display order, zeros included; Countries by code;
	// Violations and Targets by incidents, most first.
	Years      []Bucket `json:"years"`
	Months     []Bucket `json:"months"`
	Regions    []Bucket `json:"regions"`
	Countries  []Bucket `json:"countries"`
	Freedoms   []Bucket `json:"freedoms"`
	Violations []Bucket `json:"violations"`
	Targets    []Bucket `json:"targets"`
	// RegionViolations: per region (key), its violation types by
	// incidents, most first.
	RegionViolations map[civicmon.Region][]Bucket `json:"region_violations"`
	// YearFreedoms: per year, the incidents of each freedom (Freedoms
	// order).
	YearFreedoms []YearFreedom `json:"year_freedoms"`
}

// YearFreedom is one year's incidents per freedom.
type YearFreedom struct {
	Year      int    `json:"year"`
	Incidents [3]int `json:"incidents"`
}

const (
	minYear  = 1900
	maxYear  = 2199
	nMonths  = (maxYear - minYear + 1) * 12
	baseDay  = -25567 // 1900-01-01
	lastDay  = 109572 // 2199-12-31
	noFilter = -1
)

// monthOfDay maps a day (baseDay…lastDay) to its month's index since
// January 1900, computed once.
var monthOfDay = func() []uint16 {
	out := make([]uint16, lastDay-baseDay+1)
	t := time.Date(minYear, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		d := t.AddDate(0, 0, i)
		out[i] = uint16((d.Year()-minYear)*12 + int(d.Month()) - 1)
	}
	return out
}()

func monthIndex(day int32) int {
	if day < baseDay || day > lastDay {
		return -1
	}
	return int(monthOfDay[day-baseDay])
}

// Query counts everything f selects, in one pass over the index.
func (ix *Index) Query(ctx context.Context, f Filter) (*Counts, error) {
	if err := ix.Fresh(ctx); err != nil {
		return nil, err
	}
	if err := ix.Validate(f); err != nil {
		return nil, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()

	from, to := int32(baseDay), int32(lastDay)
	if f.Year != 0 {
		from, to = epochDay(civicmon.NewDate(f.Year, 1, 1)), epochDay(civicmon.NewDate(f.Year, 12, 31))
	}
	if !f.From.IsZero() {
		from = max(from, epochDay(f.From))
	}
	if !f.To.IsZero() {
		to = min(to, epochDay(f.To))
	}
	wantCountry := int(noFilter)
	if f.Country != "" {
		wantCountry = int(ix.countryNum[f.Country])
	}
	wantRegion := int8(noFilter)
	if f.Region != "" {
		wantRegion = int8(slices.Index(civicmon.Regions, f.Region))
	}
	var wantFreedomBit uint8
	wantFreedom := noFilter
	if f.Freedom != "" {
		wantFreedom = slices.Index(civicmon.Freedoms, f.Freedom)
		wantFreedomBit = 1 << wantFreedom
	}

	nViol, nTarget := len(ix.violTerms.slug), len(ix.targetTerms.slug)
	var (
		total      Tally
		months     = make([]Tally, nMonths)
		countries  = make([]Tally, len(ix.countryCode))
		regions    [5]Tally
		freedoms   [3]Tally
		viol       = make([]Tally, nViol)
		target     = make([]Tally, nTarget+1)
		regionViol = make([]int, 5*nViol)
		regionPpl  = make([]int64, 5*nViol)
		regionKnow = make([]int, 5*nViol)
		yearFree   = make([][3]int, maxYear-minYear+1)
		stamp      = make([]int32, nTarget+1)
	)
	for p, c := range ix.uCountry {
		if c == dead || (wantCountry != noFilter && int(c) != wantCountry) {
			continue
		}
		region := ix.region[c]
		if wantRegion != noFilter && region != wantRegion {
			continue
		}
		if p&0xffff == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		day := ix.uDay[p]
		counted := day >= from && day <= to && (wantFreedom == noFilter || ix.uFreedoms[p]&wantFreedomBit != 0)
		if counted {
			total.Updates++
			if m := monthIndex(day); m >= 0 {
				months[m].Updates++
			}
			countries[c].Updates++
			if region >= 0 {
				regions[region].Updates++
			}
			for k := range 3 {
				if ix.uFreedoms[p]&(1<<k) != 0 {
					freedoms[k].Updates++
				}
			}
			w := ix.uViol[p*ix.violStride : (p+1)*ix.violStride]
			for wi, word := range w {
				for word != 0 {
					b := bits.TrailingZeros64(word)
					viol[wi*64+b].Updates++
					word &= word - 1
				}
			}
		}
		a, b := int(ix.uInc0[p]), int(ix.uInc0[p]+ix.uIncN[p])
		if counted {
			// An update counts once per target group of its incidents.
			for k := a; k < b; k++ {
				if t := ix.iTarget[k]; t != 0 && stamp[t] != int32(p)+1 {
					stamp[t] = int32(p) + 1
					target[t].Updates++
				}
			}
		}
		for k := a; k < b; k++ {
			fr := int(ix.iFreedom[k])
			if wantFreedom != noFilter && fr != wantFreedom {
				continue
			}
			iday := ix.iDay[k]
			if iday == 0 {
				iday = day
			}
			if iday < from || iday > to {
				continue
			}
			people := int64(ix.iPeople[k])
			known := 0
			if people > 0 {
				known = 1
			}
			add := func(t *Tally) {
				t.Incidents++
				t.People += people
				t.KnownPeople += known
			}
			add(&total)
			m := monthIndex(iday)
			if m >= 0 {
				add(&months[m])
				yearFree[m/12][fr]++
			}
			add(&countries[c])
			add(&freedoms[fr])
			v := int(ix.iViol[k])
			add(&viol[v])
			if region >= 0 {
				add(&regions[region])
				regionViol[int(region)*nViol+v]++
				regionPpl[int(region)*nViol+v] += people
				regionKnow[int(region)*nViol+v] += known
			}
			if t := ix.iTarget[k]; t != 0 {
				add(&target[t])
			}
		}
	}

	out := &Counts{Filter: f, Total: total, RegionViolations: map[civicmon.Region][]Bucket{}}
	for y := range maxYear - minYear + 1 {
		var yt Tally
		for m := range 12 {
			mt := months[y*12+m]
			if mt == (Tally{}) {
				continue
			}
			yt.Updates += mt.Updates
			yt.Incidents += mt.Incidents
			yt.People += mt.People
			yt.KnownPeople += mt.KnownPeople
			out.Months = append(out.Months, Bucket{Key: fmt.Sprintf("%04d-%02d", minYear+y, m+1), Tally: mt})
		}
		if yt != (Tally{}) {
			out.Years = append(out.Years, Bucket{Key: strconv.Itoa(minYear + y), Tally: yt})
			out.YearFreedoms = append(out.YearFreedoms, YearFreedom{Year: minYear + y, Incidents: yearFree[y]})
		}
	}
	for i, r := range civicmon.Regions {
		if wantRegion != noFilter && int8(i) != wantRegion {
			continue
		}
		out.Regions = append(out.Regions, Bucket{Key: string(r), Tally: regions[i]})
		top := []Bucket{}
		for v := range nViol {
			if n := regionViol[i*nViol+v]; n > 0 {
				top = append(top, Bucket{Key: ix.violTerms.slug[v], Tally: Tally{Incidents: n,
					People: regionPpl[i*nViol+v], KnownPeople: regionKnow[i*nViol+v]}})
			}
		}
		sortByIncidents(top)
		out.RegionViolations[r] = top
	}
	for n, t := range countries {
		if t != (Tally{}) {
			out.Countries = append(out.Countries, Bucket{Key: ix.countryCode[n], Tally: t})
		}
	}
	slices.SortFunc(out.Countries, func(a, b Bucket) int { return strings.Compare(a.Key, b.Key) })
	for i, fr := range civicmon.Freedoms {
		if wantFreedom != noFilter && i != wantFreedom {
			continue
		}
		out.Freedoms = append(out.Freedoms, Bucket{Key: string(fr), Tally: freedoms[i]})
	}
	for v, t := range viol {
		if t != (Tally{}) {
			out.Violations = append(out.Violations, Bucket{Key: ix.violTerms.slug[v], Tally: t})
		}
	}
	sortByIncidents(out.Violations)
	for n, t := range target[1:] {
		if t != (Tally{}) {
			out.Targets = append(out.Targets, Bucket{Key: ix.targetTerms.slug[n], Tally: t})
		}
	}
	sortByIncidents(out.Targets)
	return out, nil
}

func sortByIncidents(b []Bucket) {
	slices.SortFunc(b, func(x, y Bucket) int {
		if x.Incidents != y.Incidents {
			return y.Incidents - x.Incidents
		}
		if x.Updates != y.Updates {
			return y.Updates - x.Updates
		}
		return strings.Compare(x.Key, y.Key)
	})
}
