package stats

import (
	"context"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
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

	sel := selection{from: from, to: to, country: wantCountry, region: wantRegion,
		freedom: wantFreedom, freedomBit: wantFreedomBit}
	nViol, nTarget := len(ix.violTerms.slug), len(ix.targetTerms.slug)
	nCountries := len(ix.countryCode)

	// The pass is split into ranges of updates counted side by side, each
	// into counters of its own, added up after: the whole record at a
	// million updates is some 3.5 million entries.
	n := max(1, min(runtime.GOMAXPROCS(0), len(ix.uCountry)/minPartUpdates))
	if ix.parts > 0 {
		n = min(ix.parts, max(1, len(ix.uCountry)))
	}
	parts := make([]*passCounts, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		lo, hi := len(ix.uCountry)*i/n, len(ix.uCountry)*(i+1)/n
		run := func() { parts[i], errs[i] = ix.pass(ctx, sel, lo, hi, nCountries, nViol, nTarget) }
		if i == n-1 {
			run()
		} else {
			wg.Go(run)
		}
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	pc := parts[0]
	for _, o := range parts[1:] {
		pc.add(o)
	}

	// Every count from the pass's few counters.
	var (
		total      Tally
		months     = make([]Tally, nMonths)
		countries  = make([]Tally, nCountries)
		regions    [5]Tally
		freedoms   [3]Tally
		viol       = make([]Tally, nViol)
		target     = make([]Tally, nTarget+1)
		regionViol = make([]incidentTally, 5*nViol)
		yearFree   = make([][3]int, maxYear-minYear+1)
	)
	for m := range nMonths {
		months[m].Updates = pc.monthUpdates[m]
		for fr := range 3 {
			t := pc.monthFreedom[m*3+fr]
			t.addTo(&months[m])
			t.addTo(&freedoms[fr])
			yearFree[m/12][fr] += t.n
		}
	}
	for k := range 3 {
		freedoms[k].Updates = pc.freedomUpdates[k]
	}
	for c := range nCountries {
		countries[c].Updates = pc.countryUpdates[c]
		region := ix.region[c]
		for v := range nViol {
			t := pc.countryViol[c*nViol+v]
			if t.n == 0 {
				continue
			}
			t.addTo(&countries[c])
			t.addTo(&viol[v])
			if region >= 0 {
				regionViol[int(region)*nViol+v].add(t)
			}
		}
		total.Updates += countries[c].Updates
		total.Incidents += countries[c].Incidents
		total.People += countries[c].People
		total.KnownPeople += countries[c].KnownPeople
		if region >= 0 {
			r := &regions[region]
			r.Updates += countries[c].Updates
			r.Incidents += countries[c].Incidents
			r.People += countries[c].People
			r.KnownPeople += countries[c].KnownPeople
		}
	}
	for v := range nViol {
		viol[v].Updates = pc.violUpdates[v]
	}
	for t := range nTarget + 1 {
		target[t].Updates = pc.targetUpdates[t]
		pc.target[t].addTo(&target[t])
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
			if t := regionViol[i*nViol+v]; t.n > 0 {
				top = append(top, Bucket{Key: ix.violTerms.slug[v], Tally: Tally{Incidents: t.n,
					People: t.people, KnownPeople: t.known}})
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

// minPartUpdates is the fewest updates worth a part of the pass of its own.
const minPartUpdates = 50_000

// SetParts fixes how many parts a pass splits into (0: by the processors
// and the size, the default): tests need several parts on little data.
func (ix *Index) SetParts(n int) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.parts = max(n, 0)
}

// selection is a Filter compiled for the pass.
type selection struct {
	from, to   int32
	country    int  // country number, or noFilter
	region     int8 // index in civicmon.Regions, or noFilter
	freedom    int  // index in civicmon.Freedoms, or noFilter
	freedomBit uint8
}

// incidentTally counts incidents and the people affected where known.
type incidentTally struct {
	n      int
	people int64
	known  int
}

func (t *incidentTally) add(o incidentTally) {
	t.n += o.n
	t.people += o.people
	t.known += o.known
}

func (t incidentTally) addTo(dst *Tally) {
	dst.Incidents += t.n
	dst.People += t.people
	dst.KnownPeople += t.known
}

// passCounts is what one pass counts: as few counters as every count can
// be made from, so that an incident costs three additions — by country and
// violation type (which give the countries, regions, violation types and
// the violation types per region), by month and freedom (the months,
// years and freedoms), and by target group.
type passCounts struct {
	monthUpdates   []int
	countryUpdates []int
	freedomUpdates [3]int
	violUpdates    []int
	targetUpdates  []int
	countryViol    []incidentTally // country × violation type
	monthFreedom   []incidentTally // month × freedom
	target         []incidentTally
}

func (pc *passCounts) add(o *passCounts) {
	addInts(pc.monthUpdates, o.monthUpdates)
	addInts(pc.countryUpdates, o.countryUpdates)
	addInts(pc.freedomUpdates[:], o.freedomUpdates[:])
	addInts(pc.violUpdates, o.violUpdates)
	addInts(pc.targetUpdates, o.targetUpdates)
	for i, t := range o.countryViol {
		pc.countryViol[i].add(t)
	}
	for i, t := range o.monthFreedom {
		pc.monthFreedom[i].add(t)
	}
	for i, t := range o.target {
		pc.target[i].add(t)
	}
}

func addInts(dst, src []int) {
	for i, v := range src {
		dst[i] += v
	}
}

// pass counts the updates from lo up to hi and their incidents. The caller
// holds mu (read).
func (ix *Index) pass(ctx context.Context, sel selection, lo, hi, nCountries, nViol, nTarget int) (*passCounts, error) {
	pc := &passCounts{
		monthUpdates:   make([]int, nMonths),
		countryUpdates: make([]int, nCountries),
		violUpdates:    make([]int, nViol),
		targetUpdates:  make([]int, nTarget+1),
		countryViol:    make([]incidentTally, nCountries*nViol),
		monthFreedom:   make([]incidentTally, nMonths*3),
		target:         make([]incidentTally, nTarget+1),
	}
	stamp := make([]int32, nTarget+1)
	from, to := sel.from, sel.to
	for p := lo; p < hi; p++ {
		c := ix.uCountry[p]
		if c == dead || (sel.country != noFilter && int(c) != sel.country) {
			continue
		}
		if sel.region != noFilter && ix.region[c] != sel.region {
			continue
		}
		if p&0xffff == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		day := ix.uDay[p]
		fbits := ix.uFreedoms[p]
		counted := day >= from && day <= to && (sel.freedom == noFilter || fbits&sel.freedomBit != 0)
		a, b := int(ix.uInc0[p]), int(ix.uInc0[p]+ix.uIncN[p])
		if counted {
			// A counted day lies within baseDay…lastDay: its month is known.
			pc.monthUpdates[monthOfDay[day-baseDay]]++
			pc.countryUpdates[c]++
			for k := range 3 {
				if fbits&(1<<k) != 0 {
					pc.freedomUpdates[k]++
				}
			}
			w := ix.uViol[p*ix.violStride : (p+1)*ix.violStride]
			for wi, word := range w {
				for word != 0 {
					bit := bits.TrailingZeros64(word)
					pc.violUpdates[wi*64+bit]++
					word &= word - 1
				}
			}
			// An update counts once per target group of its incidents.
			for k := a; k < b; k++ {
				if t := ix.iTarget[k]; t != 0 && stamp[t] != int32(p)+1 {
					stamp[t] = int32(p) + 1
					pc.targetUpdates[t]++
				}
			}
		}
		cv := pc.countryViol[int(c)*nViol : int(c)*nViol+nViol]
		for k := a; k < b; k++ {
			fr := int(ix.iFreedom[k])
			if sel.freedom != noFilter && fr != sel.freedom {
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
			t := &cv[ix.iViol[k]]
			t.n++
			t.people += people
			t.known += known
			t = &pc.monthFreedom[int(monthOfDay[iday-baseDay])*3+fr]
			t.n++
			t.people += people
			t.known += known
			if tg := ix.iTarget[k]; tg != 0 {
				t = &pc.target[tg]
				t.n++
				t.people += people
				t.known += known
			}
		}
	}
	return pc, nil
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
