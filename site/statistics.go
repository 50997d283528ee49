package site

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/stats"
	"github.com/civicmon/civicmon/web"
)

// statsFilter is the state of /statistics, all of it in the URL: year,
// region, freedom, country (a code). Bad values are the reader's error.
type statsFilter struct {
	stats.Filter
}

func parseStatsFilter(d *web.SiteData, q url.Values) (statsFilter, error) {
	var f statsFilter
	var bad []string
	if v := strings.TrimSpace(q.Get("year")); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 1900 || y > 2199 {
			bad = append(bad, "year: "+strconv.Quote(v)+" is not a year")
		}
		f.Year = y
	}
	if v := strings.TrimSpace(q.Get("region")); v != "" {
		r, ok := civicmon.ParseRegion(v)
		if !ok {
			bad = append(bad, "region: "+strconv.Quote(v)+" is not a region")
		}
		f.Region = r
	}
	if v := strings.TrimSpace(q.Get("freedom")); v != "" {
		fr, ok := civicmon.ParseFreedom(v)
		if !ok {
			bad = append(bad, "freedom: "+strconv.Quote(v)+" is not a freedom")
		}
		f.Freedom = fr
	}
	if v := strings.ToUpper(strings.TrimSpace(q.Get("country"))); v != "" {
		if _, ok := d.ByCode[v]; !ok {
			bad = append(bad, "country: "+strconv.Quote(v)+" is not a country code")
		}
		f.Country = v
	}
	if len(bad) > 0 {
		return f, civicmon.Errorf(civicmon.EINVALID, "%s", strings.Join(bad, "; "))
	}
	return f, nil
}

// Query is the filter as URL parameters ("" for none).
func (f statsFilter) Query() string {
	q := url.Values{}
	if f.Year != 0 {
		q.Set("year", strconv.Itoa(f.Year))
	}
	if f.Region != "" {
		q.Set("region", string(f.Region))
	}
	if f.Freedom != "" {
		q.Set("freedom", string(f.Freedom))
	}
	if f.Country != "" {
		q.Set("country", f.Country)
	}
	return q.Encode()
}

func (f statsFilter) json() map[string]any {
	m := map[string]any{}
	if f.Year != 0 {
		m["year"] = f.Year
	}
	if f.Region != "" {
		m["region"] = f.Region
	}
	if f.Freedom != "" {
		m["freedom"] = f.Freedom
	}
	if f.Country != "" {
		m["country"] = f.Country
	}
	return m
}

// withQuery appends the filter to a path.
func withQuery(path, q string) string {
	if q == "" {
		return path
	}
	return path + "?" + q
}

// StatisticsCharts names the charts of /statistics, in their order: the
// static mirror writes each one's data and embed.
var StatisticsCharts = []string{"ratings", "population", "rating-changes", "timeline", "violations", "freedoms", "targets", "regions", "countries"}

// statsData is everything /statistics shows for one filter.
type statsData struct {
	Filter    statsFilter
	Years     []int
	Countries []civicmon.Country
	// On is the day of the distribution: the end of the year asked for,
	// or today.
	On      civicmon.Date
	Charts  []*chart
	Changes []changeRow
	// ChangesYear is the year whose changes are listed.
	ChangesYear int
	RegionTop   []regionTop
	Shares      *stats.Shares
	Counts      *stats.Counts
	Vocab       *civicmon.Vocabulary
}

func (sd *statsData) vocabName(slug string) string { return sd.Vocab.ViolationName(slug) }

type changeRow struct {
	Country web.CountryView
	stats.Change
}

type regionTop struct {
	Region civicmon.Region
	Top    []stats.Bucket
}

// statistics computes the page's data. Everything public is published
// updates and ratings in force by today: a scheduled rating counts from its
// day on.
func (s *Site) statistics(ctx context.Context, p *web.Page, d *web.SiteData, f statsFilter) (*statsData, error) {
	ix := s.srv.Stats()
	today := civicmon.DateOf(s.now())
	sd := &statsData{Filter: f, Countries: d.Countries, On: today, Vocab: d.Vocab}
	if f.Year != 0 {
		if end := civicmon.NewDate(f.Year, 12, 31); end.Before(today) {
			sd.On = end
		}
	}
	// Counts never look past today either.
	cf := f.Filter
	cf.To = today
	counts, err := ix.Query(ctx, cf)
	if err != nil {
		return nil, err
	}
	sd.Counts = counts
	place := stats.Place{Region: f.Region, Country: f.Country}
	dist, err := ix.Distribution(ctx, sd.On, place)
	if err != nil {
		return nil, err
	}
	if sd.Shares, err = ix.PopulationShares(dist); err != nil {
		return nil, err
	}
	years, err := ix.RatingYears(ctx, today)
	if err != nil {
		return nil, err
	}
	for _, y := range counts.Years {
		n, _ := strconv.Atoi(y.Key)
		years = append(years, n)
	}
	sd.Years = uniqueSorted(years)
	changeYears, err := ix.ChangeYears(ctx, place, today)
	if err != nil {
		return nil, err
	}
	sd.ChangesYear = f.Year
	if sd.ChangesYear == 0 && len(changeYears) > 0 {
		sd.ChangesYear = changeYears[len(changeYears)-1].Year
	}
	if sd.ChangesYear != 0 {
		ch, err := ix.Changes(ctx, sd.ChangesYear, place, today)
		if err != nil {
			return nil, err
		}
		for _, c := range ch {
			if cc, ok := d.ByCode[c.CountryCode]; ok {
				sd.Changes = append(sd.Changes, changeRow{Country: d.View(cc), Change: c})
			}
		}
	}
	for _, r := range civicmon.Regions {
		if f.Region != "" && r != f.Region {
			continue
		}
		top := counts.RegionViolations[r]
		sd.RegionTop = append(sd.RegionTop, regionTop{Region: r, Top: top[:min(5, len(top))]})
	}

	explore := func(extra url.Values) string {
		v := url.Values{}
		if f.Year != 0 {
			v.Set("year", strconv.Itoa(f.Year))
		}
		if f.Region != "" {
			v.Set("region", string(f.Region))
		}
		if f.Freedom != "" {
			v.Set("freedom", string(f.Freedom))
		}
		if f.Country != "" {
			v.Set("country", f.Country)
		}
		for k, x := range extra {
			v[k] = x
		}
		return p.Link("/updates?" + v.Encode())
	}

	// Ratings: countries per category, and people.
	ratings := &chart{ID: "ratings", Title: p.T("Countries by civic space rating on %s", p.Date(sd.On)),
		Desc: p.T("Number of countries in each rating category, from open to closed."),
		Cols: []string{p.T("Rating"), p.T("Countries")}, Keys: []string{"category", "countries"}}
	people := &chart{ID: "population", Title: p.T("Share of the population by civic space rating, %d", sd.Shares.Year),
		Desc: p.T("Share of the people of the rated countries who live in each rating category."),
		Cols: []string{p.T("Rating"), p.T("Share"), p.T("People")}, Keys: []string{"category", "share", "people"},
		Percent: true, Note: p.T("Population: World Bank (SP.POP.TOTL), %d.", sd.Shares.Year)}
	if len(sd.Shares.Missing) > 0 {
		var names []string
		for _, code := range sd.Shares.Missing {
			if c, ok := d.ByCode[code]; ok {
				names = append(names, c.Name)
			}
		}
		people.Note += " " + p.T("Without a population figure, and left out: %s.", strings.Join(names, ", "))
	}
	for i, c := range civicmon.Categories {
		ratings.Rows = append(ratings.Rows, chartRow{Label: p.Category(c), Key: string(c), Pattern: string(c),
			Values: []float64{float64(dist.Counts[i])}})
		people.Rows = append(people.Rows, chartRow{Label: p.Category(c), Key: string(c), Pattern: string(c),
			Values: []float64{sd.Shares.Share[i], float64(sd.Shares.People[i])}})
	}

	changes := &chart{ID: "rating-changes", Title: p.T("Rating changes per year"),
		Desc: p.T("Countries whose rating improved (up) or worsened (down), per year."),
		Cols: []string{p.T("Year"), p.T("Changes")}, Keys: []string{"year", "changes"}}
	for _, y := range changeYears {
		ys := strconv.Itoa(y.Year)
		changes.Rows = append(changes.Rows,
			chartRow{Label: p.T("%d: up", y.Year), Key: ys + "-up", Values: []float64{float64(y.Up)}, Pattern: "open"},
			chartRow{Label: p.T("%d: down", y.Year), Key: ys + "-down", Values: []float64{float64(y.Down)}, Pattern: "repressed"})
	}

	tallyCols := []string{p.T("Updates"), p.T("Incidents"), p.T("People affected")}
	tallyKeys := []string{"updates", "incidents", "people_affected"}
	tallyChart := func(id, title, desc, labelCol, labelKey string, bs []stats.Bucket, label func(string) string, href func(string) string, limit int) *chart {
		c := &chart{ID: id, Title: title, Desc: desc, Cols: append([]string{labelCol}, tallyCols...),
			Keys: append([]string{labelKey}, tallyKeys...), Measure: 1}
		for _, b := range bs[:min(limit, len(bs))] {
			c.Rows = append(c.Rows, chartRow{Label: label(b.Key), Key: b.Key, Href: href(b.Key),
				Values: []float64{float64(b.Updates), float64(b.Incidents), float64(b.People)}})
		}
		return c
	}
	var timeline *chart
	if f.Year != 0 {
		timeline = tallyChart("timeline", p.T("Incidents per month, %d", f.Year), p.T("Number of incidents recorded in each month."),
			p.T("Month"), "month", counts.Months, func(k string) string { return k },
			func(k string) string { return "" }, 12)
		for i := range timeline.Rows {
			timeline.Rows[i].Shown = monthLabel(p, timeline.Rows[i].Key)
		}
	} else {
		timeline = tallyChart("timeline", p.T("Incidents per year"), p.T("Number of incidents recorded in each year."),
			p.T("Year"), "year", counts.Years, func(k string) string { return k },
			func(k string) string { return explore(url.Values{"year": {k}}) }, 1000)
	}
	violations := tallyChart("violations", p.T("Most common violations"), p.T("Incidents per violation type, most common first."),
		p.T("Violation"), "violation", counts.Violations, func(k string) string { return p.T(d.Vocab.ViolationName(k)) },
		func(k string) string { return explore(url.Values{"violation": {k}}) }, 12)
	freedoms := tallyChart("freedoms", p.T("Incidents by freedom"), p.T("Incidents per civic freedom."),
		p.T("Freedom"), "freedom", counts.Freedoms, func(k string) string { return p.Freedom(civicmon.Freedom(k)) },
		func(k string) string { return explore(url.Values{"freedom": {k}}) }, 3)
	targets := tallyChart("targets", p.T("Most targeted groups"), p.T("Incidents per target group, most targeted first."),
		p.T("Target"), "target", counts.Targets, func(k string) string { return p.T(d.Vocab.TargetName(k)) },
		func(k string) string { return explore(url.Values{"target": {k}}) }, 12)
	regions := tallyChart("regions", p.T("Incidents by region"), p.T("Incidents per region."),
		p.T("Region"), "region", counts.Regions, func(k string) string { return p.Region(civicmon.Region(k)) },
		func(k string) string { return explore(url.Values{"region": {k}}) }, 5)
	byIncidents := append([]stats.Bucket(nil), counts.Countries...)
	sortBuckets(byIncidents)
	countries := tallyChart("countries", p.T("Countries with the most incidents"), p.T("Incidents per country, most first."),
		p.T("Country"), "country", byIncidents, func(k string) string {
			if c, ok := d.ByCode[k]; ok {
				return c.Name
			}
			return k
		}, func(k string) string { return explore(url.Values{"country": {k}}) }, 15)
	sd.Charts = []*chart{ratings, people, changes, timeline, violations, freedoms, targets, regions, countries}
	for _, c := range sd.Charts {
		c.Lang = p.Lang
	}
	return sd, nil
}

// monthLabel is a month key ("2020-03") as the reader's language names
// the month ("March 2020", "mars 2020"); the key stays in the data.
func monthLabel(p *web.Page, k string) string {
	y, m, ok := strings.Cut(k, "-")
	year, err1 := strconv.Atoi(y)
	month, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || month < 1 || month > 12 {
		return k
	}
	return p.MonthYear(civicmon.NewDate(year, time.Month(month), 1))
}

func sortBuckets(b []stats.Bucket) {
	for i := 1; i < len(b); i++ {
		for j := i; j > 0 && (b[j].Incidents > b[j-1].Incidents || b[j].Incidents == b[j-1].Incidents && b[j].Key < b[j-1].Key); j-- {
			b[j], b[j-1] = b[j-1], b[j]
		}
	}
}

func uniqueSorted(xs []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func (sd *statsData) chart(id string) *chart {
	for _, c := range sd.Charts {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// loadStatistics reads the filter and computes the data, answering the
// request itself when it cannot.
func (s *Site) loadStatistics(w http.ResponseWriter, r *http.Request, p *web.Page) (*statsData, bool) {
	d, ok := s.siteData(w, r)
	if !ok {
		return nil, false
	}
	f, err := parseStatsFilter(d, r.URL.Query())
	if err != nil {
		s.srv.Fail(w, r, err)
		return nil, false
	}
	sd, err := s.statistics(r.Context(), p, d, f)
	if err != nil {
		s.srv.Fail(w, r, err)
		return nil, false
	}
	return sd, true
}

// handleStatistics is /statistics: every chart for the filter in the URL.
func (s *Site) handleStatistics(w http.ResponseWriter, r *http.Request) {
	p := s.srv.NewPage(r, "")
	p.Title = p.T("Statistics")
	sd, ok := s.loadStatistics(w, r, p)
	if !ok {
		return
	}
	p.Description = p.T("Civic space in numbers: ratings, rating changes, population, incidents by violation, freedom, target group, region and country.")
	s.srv.Render(w, r, http.StatusOK, p, StatisticsPage(p, sd))
}

// handleStatisticsEmbed is one chart alone, for other sites to frame.
func (s *Site) handleStatisticsEmbed(w http.ResponseWriter, r *http.Request) {
	p := s.srv.NewPage(r, "")
	sd, ok := s.loadStatistics(w, r, p)
	if !ok {
		return
	}
	c := sd.chart(r.PathValue("chart"))
	if c == nil {
		s.srv.NotFound(w, r)
		return
	}
	p.Title = c.Title
	p.Embed = true
	s.srv.Render(w, r, http.StatusOK, p, StatisticsEmbedPage(p, sd, c))
}

// handleStatisticsData is the data behind a chart: /statistics/{chart}.csv
// or .json, with the page's filter.
func (s *Site) handleStatisticsData(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	id, ext, _ := strings.Cut(name, ".")
	if ext != "csv" && ext != "json" {
		s.srv.NotFound(w, r)
		return
	}
	p := s.srv.NewPage(r, "")
	sd, ok := s.loadStatistics(w, r, p)
	if !ok {
		return
	}
	c := sd.chart(id)
	if c == nil {
		s.srv.NotFound(w, r)
		return
	}
	var b bytes.Buffer
	var err error
	if ext == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		err = c.writeCSV(&b)
	} else {
		w.Header().Set("Content-Type", "application/json")
		err = c.writeJSON(&b, sd.Filter.json())
	}
	if err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `inline; filename="`+id+"."+ext+`"`)
	w.Write(b.Bytes())
}
