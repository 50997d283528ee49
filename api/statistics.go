package api

import (
	"net/http"
	"strconv"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/stats"
	"github.com/civicmon/civicmon/web"
)

// year reads the year parameter (0 when absent).
func (p *params) year() int {
	v := p.get("year")
	if v == "" {
		return 0
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 1900 || y > 2199 {
		p.addf("year", "%q is not a year between 1900 and 2199", v)
		return 0
	}
	return y
}

// statisticsCounts counts the published updates and their incidents for a
// filter: in total and by year, month, region, country, freedom, violation
// type and target group, from the statistics index.
func (h *handler) statisticsCounts(w http.ResponseWriter, r *http.Request) {
	d, err := h.srv.SiteData(r.Context())
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	p := newParams(r, "year", "region", "freedom", "country")
	f := stats.Filter{Year: p.year(), Region: p.region(), Freedom: p.freedom(), Country: p.country(d)}
	if p.failed() {
		h.invalidParams(w, r, p)
		return
	}
	f.To = civicmon.DateOf(h.now())
	c, err := h.srv.Stats().Query(r.Context(), f)
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	out := apiCounts{Counts: c, Filter: filterJSON(f.Year, f.Region, f.Freedom, f.Country)}
	for _, s := range []*[]stats.Bucket{&c.Years, &c.Months, &c.Countries, &c.Violations, &c.Targets} {
		if *s == nil {
			*s = []stats.Bucket{}
		}
	}
	if c.YearFreedoms == nil {
		c.YearFreedoms = []stats.YearFreedom{}
	}
	web.WriteAPIJSON(w, r, http.StatusOK, out)
}

type apiCounts struct {
	Filter map[string]any `json:"filter"`
	*stats.Counts
}

func filterJSON(year int, region civicmon.Region, freedom civicmon.Freedom, country string) map[string]any {
	m := map[string]any{}
	if year != 0 {
		m["year"] = year
	}
	if region != "" {
		m["region"] = region
	}
	if freedom != "" {
		m["freedom"] = freedom
	}
	if country != "" {
		m["country"] = country
	}
	return m
}

type apiRatingStats struct {
	Filter map[string]any `json:"filter"`
	// Date is the day of the distribution: the end of the year asked
	// for, or today.
	Date           string              `json:"date"`
	Distribution   map[string]int      `json:"distribution"`
	Countries      map[string][]string `json:"countries"`
	Unrated        []string            `json:"unrated"`
	Population     apiPopulation       `json:"population"`
	ChangesYear    int                 `json:"changes_year"`
	Changes        []apiChange         `json:"changes"`
	ChangesPerYear []apiChangeYear     `json:"changes_per_year"`
}

type apiPopulation struct {
	Year    int                `json:"year"`
	People  map[string]int64   `json:"people"`
	Shares  map[string]float64 `json:"shares"`
	Total   int64              `json:"total"`
	Missing []string           `json:"missing"`
	Credit  string             `json:"credit"`
}

type apiChange struct {
	Country         string `json:"country"`
	Date            string `json:"date"`
	DateApproximate bool   `json:"date_approximate"`
	From            string `json:"from"`
	To              string `json:"to"`
	Direction       string `json:"direction"`
}

type apiChangeYear struct {
	Year int `json:"year"`
	Up   int `json:"up"`
	Down int `json:"down"`
}

// statisticsRatings is the distribution of the categories at the end of a
// year (or today), the population in each, and the rating changes of the
// year (the latest year with a change when none is given).
func (h *handler) statisticsRatings(w http.ResponseWriter, r *http.Request) {
	d, err := h.srv.SiteData(r.Context())
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	p := newParams(r, "year", "region", "country")
	year, region, country := p.year(), p.region(), p.country(d)
	if p.failed() {
		h.invalidParams(w, r, p)
		return
	}
	ctx := r.Context()
	ix := h.srv.Stats()
	today := civicmon.DateOf(h.now())
	on := today
	if year != 0 {
		if end := civicmon.NewDate(year, 12, 31); end.Before(today) {
			on = end
		}
	}
	pl := stats.Place{Region: region, Country: country}
	dist, err := ix.Distribution(ctx, on, pl)
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	shares, err := ix.PopulationShares(dist)
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	years, err := ix.ChangeYears(ctx, pl, today)
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	out := apiRatingStats{Filter: filterJSON(year, region, "", country), Date: on.String(),
		Distribution: map[string]int{}, Countries: map[string][]string{}, Unrated: append([]string{}, dist.Unrated...),
		Population: apiPopulation{Year: shares.Year, People: map[string]int64{}, Shares: map[string]float64{},
			Total: shares.Total, Missing: append([]string{}, shares.Missing...), Credit: stats.PopulationCredit},
		Changes: []apiChange{}, ChangesPerYear: []apiChangeYear{}}
	for i, c := range civicmon.Categories {
		out.Distribution[string(c)] = dist.Counts[i]
		out.Countries[string(c)] = append([]string{}, dist.Countries[i]...)
		out.Population.People[string(c)] = shares.People[i]
		out.Population.Shares[string(c)] = shares.Share[i]
	}
	for _, y := range years {
		out.ChangesPerYear = append(out.ChangesPerYear, apiChangeYear{Year: y.Year, Up: y.Up, Down: y.Down})
	}
	out.ChangesYear = year
	if year == 0 && len(years) > 0 {
		out.ChangesYear = years[len(years)-1].Year
	}
	if out.ChangesYear != 0 {
		ch, err := ix.Changes(ctx, out.ChangesYear, pl, today)
		if err != nil {
			h.srv.APIFail(w, r, err)
			return
		}
		for _, c := range ch {
			dir := "down"
			if c.Up() {
				dir = "up"
			}
			out.Changes = append(out.Changes, apiChange{Country: c.CountryCode, Date: c.Date.String(),
				DateApproximate: c.DateApproximate, From: string(c.From), To: string(c.To), Direction: dir})
		}
	}
	web.WriteAPIJSON(w, r, http.StatusOK, out)
}
