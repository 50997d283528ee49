package mirror

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/civicmon/civicmon"
)

// perPage is the site's page size of lists (web's perPage): the pages of
// a list the mirror writes are the ones its pager links to.
const perPage = 20

// produce lists every URL of the public site, calling emit for each; it
// stops when emit returns false. Updates are read in keyset pages of a
// thousand, never all at once.
func (e *exporter) produce(ctx context.Context, emit func(job) bool) error {
	st := e.st
	countries, err := st.Countries(ctx)
	if err != nil {
		return err
	}
	vocab, err := st.Vocabulary(ctx)
	if err != nil {
		return err
	}
	editions, err := st.WatchlistEditions(ctx)
	if err != nil {
		return err
	}
	perCountry, err := st.CountUpdatesByCountry(ctx, civicmon.UpdateFilter{Statuses: []civicmon.Status{civicmon.StatusPublished}})
	if err != nil {
		return err
	}
	total := 0
	for _, n := range perCountry {
		total += n
	}
	// An estimate for the progress bar: pages per update, per language.
	e.total.Add(int64(total * (len(e.o.Langs) + 3)))

	// The listing pages count through the search's facet index, as the
	// site's pager does.
	type listing struct {
		path string
		q    civicmon.SearchQuery
	}
	var listings []listing
	for _, r := range civicmon.Regions {
		listings = append(listings, listing{"/regions/" + string(r), civicmon.SearchQuery{Regions: []civicmon.Region{r}}})
	}
	for _, f := range civicmon.Freedoms {
		listings = append(listings, listing{"/freedoms/" + string(f), civicmon.SearchQuery{Freedoms: []civicmon.Freedom{f}}})
	}
	for _, t := range vocab.Violations {
		listings = append(listings, listing{"/tags/" + t.Slug, civicmon.SearchQuery{Violations: []string{t.Slug}}})
	}
	listPages := map[string]int{}
	for _, l := range listings {
		l.q.Sort, l.q.Limit, l.q.NoFacets = civicmon.SortNewest, 1, true
		res, err := st.SearchUpdates(ctx, l.q)
		if err != nil {
			return fmt.Errorf("count %s: %w", l.path, err)
		}
		listPages[l.path] = pages(res.Total)
	}
	for _, c := range countries {
		listPages["/countries/"+c.Slug] = pages(perCountry[c.Code])
	}

	// The site's own files, once.
	static := e.srv.StaticFiles()
	sort.Strings(static)
	root := []string{"/robots.txt", "/sitemap.xml", "/sitemaps/pages.xml"}
	for i := 0; i*50000 < total; i++ {
		root = append(root, "/sitemaps/updates-"+strconv.Itoa(i+1)+".xml")
	}
	root = append(root, static...)
	for _, f := range []string{"civicmon.ndjson", "civicmon.json", "countries.csv", "ratings.csv", "updates.csv", "incidents.csv"} {
		root = append(root, "/data/"+f)
	}
	for _, c := range countries {
		for _, f := range []string{"updates.csv", "incidents.csv", "ratings.csv", "civicmon.json", "civicmon.ndjson"} {
			root = append(root, "/data/"+f+"?country="+c.Code)
		}
	}
	for _, u := range root {
		if !e.emit(emit, u, false) {
			return ctx.Err()
		}
	}

	// Every page in every language.
	for _, l := range e.o.Langs {
		lq := ""
		if l != e.o.Langs[0] {
			lq = "lang=" + string(l)
		}
		with := func(p string) string { return addQuery(p, lq) }
		var urls []string
		urls = append(urls, "/", "/countries", "/methodology", "/watchlist", "/embed/map")
		for _, r := range civicmon.Regions {
			urls = append(urls, "/countries?region="+string(r))
		}
		for _, c := range civicmon.Categories {
			urls = append(urls, "/countries?rating="+string(c))
		}
		for _, ed := range editions {
			urls = append(urls, "/watchlist/"+ed.PublishedOn.String())
		}
		feeds := []string{""}
		for _, lst := range listings {
			feeds = append(feeds, lst.path)
		}
		for _, c := range countries {
			feeds = append(feeds, "/countries/"+c.Slug)
		}
		for _, base := range feeds {
			urls = append(urls, base+"/feed.atom", base+"/feed.json")
		}
		paths := make([]string, 0, len(listPages))
		for p := range listPages {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			for n := 1; n <= listPages[p]; n++ {
				if n == 1 {
					urls = append(urls, p)
				} else {
					urls = append(urls, p+"?page="+strconv.Itoa(n))
				}
			}
		}
		if !e.emit(emit, with("/updates"), true) {
			return ctx.Err()
		}
		for _, u := range urls {
			if !e.emit(emit, with(u), false) {
				return ctx.Err()
			}
		}
	}

	// Every published update, newest first: its pages, its translations
	// and citations, and its entry in the search index.
	idx, err := newIndexWriter(e)
	if err != nil {
		return err
	}
	today := civicmon.DateOf(e.o.Now()).String()
	byCode := map[string]*civicmon.Country{}
	for i := range countries {
		byCode[countries[i].Code] = &countries[i]
	}
	f := civicmon.UpdateFilter{Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 1000, SkipTotal: true}
	for {
		us, _, err := st.FindUpdates(ctx, f)
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
			base := "/updates/" + pu.Slug
			for _, c := range []string{"bibtex", "ris", "csl-json"} {
				// A citation's access date is the day of the export.
				file, _, _ := e.m.file(base + "/cite/" + c)
				if !emit(job{url: base + "/cite/" + c + "?accessed=" + today, file: file}) {
					return ctx.Err()
				}
			}
			for _, l := range e.o.Langs {
				lq := ""
				if l != e.o.Langs[0] {
					lq = "lang=" + string(l)
				}
				if !e.emit(emit, addQuery(base, lq), false) {
					return ctx.Err()
				}
				for _, t := range pu.Translations {
					if !e.emit(emit, addQuery(base+"/"+t.Language, lq), false) {
						return ctx.Err()
					}
				}
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
	file, _, ok := e.m.file(u)
	if !ok {
		e.rw.bad("(export)", u)
		return true
	}
	return emit(job{url: u, file: file, search: search})
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

func pages(n int) int { return max(1, (n+perPage-1)/perPage) }
