package mirror

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/site"
	"github.com/civicmon/civicmon/stats"
)

// citeFormats are the citations of an update and of a country page.
var citeFormats = []string{"bibtex", "ris", "csl-json", "text"}

// perPage is the site's page size of lists (web's perPage): the pages of
// a list the mirror writes are the ones its pager links to.
const perPage = 20

var published = []civicmon.Status{civicmon.StatusPublished}

// produce lists every URL of the public site, calling emit for each; it
// stops when emit returns false (the export failed or was cancelled).
// Each URL is emitted in every language one after the other, so that the
// read store answers the languages after the first from memory; lists of
// updates are read by keyset, a chunk at a time, and lent to the read
// store while their pages are rendered.
func (e *exporter) produce(ctx context.Context, emit func(job) bool) error {
	st := e.st
	countries, err := st.Countries(ctx)
	if err != nil {
		return err
	}
	sort.Slice(countries, func(i, j int) bool { return countries[i].Code < countries[j].Code })
	vocab, err := st.Vocabulary(ctx)
	if err != nil {
		return err
	}
	// The public editions, as the site shows them: a scheduled one is not
	// in a mirror exported before its day.
	sd, err := e.srv.SiteData(ctx)
	if err != nil {
		return err
	}
	editions := sd.Editions
	perCountry, err := st.CountUpdatesByCountry(ctx, civicmon.UpdateFilter{Statuses: published})
	if err != nil {
		return err
	}
	total := 0
	for _, n := range perCountry {
		total += n
	}
	// An estimate for the progress bar: the pages of each update.
	e.total.Add(int64(total * (len(e.o.Langs) + 3)))

	stop := errStop
	// each emits a URL in every language.
	each := func(u string) error {
		for _, lq := range e.langQueries() {
			if !e.emit(emit, addQuery(u, lq), false) {
				return stop
			}
		}
		return nil
	}
	one := func(u string) error {
		if !e.emit(emit, u, false) {
			return stop
		}
		return nil
	}

	// The site's own files, once.
	static := e.srv.StaticFiles()
	sort.Strings(static)
	root := []string{"/robots.txt", "/sitemap.xml", "/sitemaps/pages.xml"}
	for i := 0; i*50000 < total; i++ {
		root = append(root, "/sitemaps/updates-"+strconv.Itoa(i+1)+".xml")
	}
	root = append(root, static...)
	for _, u := range root {
		if err := one(u); err != nil {
			return err
		}
	}
	if !e.emitDownloads(emit, "", "civicmon.ndjson", "civicmon.json", "countries.csv", "ratings.csv", "updates.csv", "incidents.csv") {
		return stop
	}

	// The pages that are not lists.
	for _, lq := range e.langQueries() {
		if !e.emit(emit, addQuery("/updates", lq), true) {
			return stop
		}
	}
	fixed := []string{"/", "/countries", "/methodology", "/watchlist", "/embed/map", "/feed.atom", "/feed.json"}
	// The country list filtered by rating, which the home page links to
	// (the filter form, which needs a server, is not in the mirror).
	for _, c := range civicmon.Categories {
		fixed = append(fixed, "/countries?rating="+string(c))
	}
	for _, ed := range editions {
		fixed = append(fixed, "/watchlist/"+ed.PublishedOn.String())
	}
	for _, u := range fixed {
		if err := each(u); err != nil {
			return err
		}
	}
	if err := e.statistics(ctx, each, one); err != nil {
		return err
	}

	// Each country: its pages, its updates' pages, its feeds and data.
	today := civicmon.DateOf(e.o.Now()).String()
	for _, c := range countries {
		base := "/countries/" + c.Slug
		f := civicmon.UpdateFilter{CountryCode: c.Code, Statuses: published}
		err := e.chunks(ctx, f, perCountry[c.Code], true, func(ch *chunk) error {
			if ch.offset == 0 {
				for _, u := range []string{base + "/feed.atom", base + "/feed.json"} {
					if err := each(u); err != nil {
						return err
					}
				}
				for _, c := range citeFormats {
					file, _, _ := e.m.file(base + "/cite/" + c)
					if !emit(job{url: base + "/cite/" + c + "?accessed=" + today, file: file}) {
						return stop
					}
				}
			}
			if err := e.listPages(ch, base, each); err != nil {
				return err
			}
			for i := range ch.items {
				u := &ch.items[i]
				if !u.Published() {
					continue
				}
				ub := "/updates/" + u.Slug
				for _, c := range citeFormats {
					// A citation's access date is the day of the export.
					file, _, _ := e.m.file(ub + "/cite/" + c)
					if !emit(job{url: ub + "/cite/" + c + "?accessed=" + today, file: file}) {
						return stop
					}
				}
				if err := each(ub); err != nil {
					return err
				}
				// The original has a page of its own in the languages that
				// /updates/{slug} shows a translation in: "Also in" links it.
				for i, lq := range e.langQueries() {
					if u.Language != string(e.o.Langs[i]) && hasTranslation(u, string(e.o.Langs[i])) {
						if !e.emit(emit, addQuery(ub+"/"+u.Language, lq), false) {
							return stop
						}
					}
				}
				// A translation's page names its language in the path,
				// which the site takes for the interface's unless ?lang=
				// says otherwise: the root's pages say it.
				for _, t := range u.Translations {
					for i, lq := range e.langQueries() {
						if i == 0 {
							lq = "lang=" + string(e.o.Langs[0])
						}
						if !e.emit(emit, addQuery(ub+"/"+t.Language, lq), false) {
							return stop
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if !e.emitDownloads(emit, "?country="+c.Code, "updates.csv", "incidents.csv", "ratings.csv", "civicmon.json", "civicmon.ndjson") {
			return stop
		}
	}

	// The lists by region, freedom and violation, counted as the site's
	// pager counts them: through the search's facet index.
	type listing struct {
		path string
		f    civicmon.UpdateFilter
		q    civicmon.SearchQuery
	}
	var listings []listing
	for _, r := range civicmon.Regions {
		listings = append(listings, listing{"/regions/" + string(r), civicmon.UpdateFilter{Region: r}, civicmon.SearchQuery{Regions: []civicmon.Region{r}}})
	}
	for _, f := range civicmon.Freedoms {
		listings = append(listings, listing{"/freedoms/" + string(f), civicmon.UpdateFilter{Freedom: f}, civicmon.SearchQuery{Freedoms: []civicmon.Freedom{f}}})
	}
	for _, t := range vocab.Violations {
		listings = append(listings, listing{"/tags/" + t.Slug, civicmon.UpdateFilter{Violation: t.Slug}, civicmon.SearchQuery{Violations: []string{t.Slug}}})
	}
	for _, l := range listings {
		l.q.Sort, l.q.Limit = civicmon.SortNewest, 1
		res, err := e.rs.SearchUpdates(ctx, l.q)
		if err != nil {
			return fmt.Errorf("count %s: %w", l.path, err)
		}
		l.f.Statuses = published
		err = e.chunks(ctx, l.f, res.Total, false, func(ch *chunk) error {
			if ch.offset == 0 {
				for _, u := range []string{l.path + "/feed.atom", l.path + "/feed.json"} {
					if err := each(u); err != nil {
						return err
					}
				}
			}
			return e.listPages(ch, l.path, each)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// errStop: emit refused a job, because the export is stopping.
var errStop = fmt.Errorf("export stopped")

// langQueries are the query strings of the languages: "" for the first.
// hasTranslation reports whether u is translated into lang.
func hasTranslation(u *civicmon.Update, lang string) bool {
	for _, t := range u.Translations {
		if t.Language == lang {
			return true
		}
	}
	return false
}

func (e *exporter) langQueries() []string {
	out := make([]string, len(e.o.Langs))
	for i, l := range e.o.Langs {
		if i > 0 {
			out[i] = "lang=" + string(l)
		}
	}
	return out
}

// listPages emits the pages of a list whose first entry is in the chunk.
func (e *exporter) listPages(ch *chunk, base string, each func(string) error) error {
	first := ch.offset/perPage + 1
	last := first
	if len(ch.items) > 0 {
		last = (ch.offset+len(ch.items)-1)/perPage + 1
	}
	for n := first; n <= last; n++ {
		u := base
		if n > 1 {
			u += "?page=" + strconv.Itoa(n)
		}
		if err := each(u); err != nil {
			return err
		}
	}
	return nil
}

// chunks reads the updates f selects, newest first, a chunk at a time,
// lends each chunk to the read store and calls fn with it. total is the
// count the site shows (the country page's pager uses it).
func (e *exporter) chunks(ctx context.Context, f civicmon.UpdateFilter, total int, incidents bool, fn func(*chunk) error) error {
	key := listKey(f)
	size := e.o.chunkSize
	f.Limit, f.SkipTotal = size+1, true
	offset := 0
	var prev *civicmon.Update
	for {
		us, _, err := e.st.FindUpdates(ctx, f)
		if err != nil {
			return err
		}
		c := &chunk{key: key, offset: offset, total: total, prev: prev, last: len(us) <= size}
		if !c.last {
			next := us[size]
			c.next = &next
			us = us[:size]
		}
		c.items = us
		if incidents && len(us) > 0 {
			ids := make([]int64, len(us))
			for i := range us {
				ids[i] = us[i].ID
			}
			if c.incidents, err = e.st.IncidentsByUpdate(ctx, ids); err != nil {
				return err
			}
		}
		e.rs.lend(c)
		if err := fn(c); err != nil {
			return err
		}
		if c.last {
			return nil
		}
		last := us[len(us)-1]
		prev = &last
		f.Before = &civicmon.UpdateCursor{PublishedOn: last.PublishedOn, ID: last.ID}
		offset += len(us)
	}
}

// index builds the search index from every published update, newest
// first.
func (e *exporter) index(ctx context.Context) error {
	countries, err := e.st.Countries(ctx)
	if err != nil {
		return err
	}
	byCode := map[string]*civicmon.Country{}
	for i := range countries {
		byCode[countries[i].Code] = &countries[i]
	}
	idx, err := newIndexWriter(e)
	if err != nil {
		return err
	}
	f := civicmon.UpdateFilter{Statuses: published, Limit: e.o.chunkSize, SkipTotal: true}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		us, _, err := e.st.FindUpdates(ctx, f)
		if err != nil {
			return err
		}
		for i := range us {
			pu, ok := us[i].Public()
			if !ok {
				continue
			}
			e.updates++
			if err := idx.add(pu, byCode[pu.CountryCode]); err != nil {
				return err
			}
		}
		if len(us) < f.Limit {
			break
		}
		last := us[len(us)-1]
		f.Before = &civicmon.UpdateCursor{PublishedOn: last.PublishedOn, ID: last.ID}
	}
	return idx.finish(byCode)
}

// emit sends the job for a URL.
func (e *exporter) emit(emit func(job) bool, u string, search bool) bool {
	j, ok := e.newJob(u)
	if !ok {
		return true
	}
	j.search = search
	return emit(j)
}

// emitDownloads sends one job for the files of /data/ with a query: they
// are written together, from one read of the updates instead of one per
// file.
func (e *exporter) emitDownloads(emit func(job) bool, query string, files ...string) bool {
	var downloads []job
	for _, f := range files {
		if j, ok := e.newJob("/data/" + f + query); ok {
			downloads = append(downloads, j)
		}
	}
	if len(downloads) == 0 {
		return true
	}
	return emit(job{url: downloads[0].url, downloads: downloads})
}

// newJob is the job for a URL, if the mirror writes it.
func (e *exporter) newJob(u string) (job, bool) {
	file, _, ok := e.m.file(u)
	if !ok {
		e.rw.bad("(export)", u)
		return job{}, false
	}
	if e.o.skip != nil && e.o.skip(u) {
		return job{}, false
	}
	return job{url: u, file: file}, true
}

func addQuery(p, q string) string {
	if q == "" {
		return p
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '?' {
			return p + "&" + q
		}
	}
	return p + "?" + q
}

// statistics lists /statistics for the whole record and for each year, with
// the data and the embed of each chart, and each year's report. The
// statistics of a region, a freedom or a country need the server's filter
// form, as the country list's other filters do.
func (e *exporter) statistics(ctx context.Context, each, one func(string) error) error {
	today := civicmon.DateOf(e.o.Now())
	ix := e.srv.Stats()
	years, err := ix.RatingYears(ctx, today)
	if err != nil {
		return err
	}
	c, err := ix.Query(ctx, stats.Filter{To: today})
	if err != nil {
		return err
	}
	for _, y := range c.Years {
		n, _ := strconv.Atoi(y.Key)
		years = append(years, n)
	}
	slices.Sort(years)
	years = slices.Compact(years)
	queries := []string{""}
	for _, y := range years {
		if y > today.Year() {
			continue
		}
		queries = append(queries, "?year="+strconv.Itoa(y))
		if err := each("/reports/" + strconv.Itoa(y)); err != nil {
			return err
		}
	}
	for _, q := range queries {
		if err := each("/statistics" + q); err != nil {
			return err
		}
		for _, chart := range site.StatisticsCharts {
			if err := each("/embed/statistics/" + chart + q); err != nil {
				return err
			}
			for _, ext := range []string{".csv", ".json"} {
				if err := one("/statistics/" + chart + ext + q); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
