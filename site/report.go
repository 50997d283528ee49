package site

import (
	"net/http"
	"strconv"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/stats"
)

// reportData is a year's findings: the statistics of the year and what the
// report says besides.
type reportData struct {
	*statsData
	Year int
	// Closedish is the share of the people in rated countries who live in
	// countries rated closed, repressed or obstructed.
	Closedish       float64
	Up, Down        int
	Editions        []civicmon.WatchlistEdition
	Rated           int
	ExploreYear     string
	RatingsChart    *chart
	PopulationChart *chart
	ViolationsChart *chart
}

// handleReport is /reports/{year}: the year's findings as a page a reader
// can cite and print, generated from the data.
func (s *Site) handleReport(w http.ResponseWriter, r *http.Request) {
	d, ok := s.siteData(w, r)
	if !ok {
		return
	}
	year, err := strconv.Atoi(r.PathValue("year"))
	today := civicmon.DateOf(s.now())
	if err != nil || year < 1900 || year > today.Year() || strconv.Itoa(year) != r.PathValue("year") {
		s.srv.NotFound(w, r)
		return
	}
	p := s.srv.NewPage(r, "")
	p.Title = p.T("Civic space in %d", year)
	sd, err := s.statistics(r.Context(), p, d, statsFilter{Filter: stats.Filter{Year: year}})
	if err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	rd := &reportData{statsData: sd, Year: year, RatingsChart: sd.chart("ratings"), PopulationChart: sd.chart("population"),
		ViolationsChart: sd.chart("violations"), ExploreYear: p.Link("/updates?year=" + strconv.Itoa(year))}
	for i := range 3 { // Obstructed, Repressed, Closed
		rd.Closedish += sd.Shares.Share[2+i]
	}
	for _, c := range sd.Changes {
		if c.Up() {
			rd.Up++
		} else {
			rd.Down++
		}
	}
	for _, ed := range d.Editions {
		if ed.PublishedOn.Year() == year {
			rd.Editions = append(rd.Editions, ed)
		}
	}
	for _, ch := range sd.Charts {
		if ch.ID == "ratings" {
			for _, row := range ch.Rows {
				rd.Rated += int(row.Values[0])
			}
		}
	}
	p.Description = p.T("The findings of %d: ratings, the share of the population in each category, rating changes, the watchlist and the most common violations.", year)
	s.srv.Render(w, r, http.StatusOK, p, ReportPage(p, rd))
}
