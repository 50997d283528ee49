// Command tohugo turns civicmon's public NDJSON export into the content of
// a Hugo site, for the benchmark of `civicmon export site` against Hugo
// (bench/site.sh). It is not timed: Hugo's input is these content files,
// civicmon's input is its database; each is its own store of the same
// content.
//
//	tohugo -in civicmon.ndjson [-db civicmon.db] [-locales i18n/locales] -out SITE
//
// SITE should already hold the theme and configuration (a copy of
// bench/hugo/site); tohugo adds content/, data/ and static/data/ to it.
//
// What it writes:
//   - content/updates/{slug}.md: one page per published update, JSON front
//     matter (title, date, summary, metadata, incidents, sources) and the
//     Markdown body; taxonomies countries, regions, freedoms and tags;
//   - content/translations/{slug}-{lang}.md: a translation, at
//     /updates/{slug}/{lang} (the permalink rule of hugo.toml);
//   - content/{countries,regions,freedoms,tags}/{slug}/_index.md: the term
//     pages, so that a term with no update still has its page;
//   - content/watchlist/: the editions (read from -db: the export does not
//     carry them);
//   - data/site.json: countries with current rating and history, the
//     vocabularies' names; data/map.json: the world map's SVG in each
//     language, drawn by civicmon's worldmap package (Hugo has no
//     projection code);
//   - with -downloads, static/data/: the data downloads civicmon's pages
//     link to (civicmon.ndjson, civicmon.json, countries.csv, ratings.csv,
//     updates.csv, incidents.csv; and per country, country-XX/ with all but
//     countries.csv), made by civicmon's own exporter from -db; Hugo copies
//     them as static files;
//   - i18n/{en,fr,es,ru}.json: civicmon's interface catalogs, as Hugo's
//     i18n files (English: every message as itself).
//
// The same content is mounted into each of Hugo's four languages (see
// hugo.toml), as civicmon's mirror writes every page in each interface
// language.
//
// The order of updates (newest first, then most recently stored first) is
// the export's order reversed; each update's newer and older neighbour in
// its country are written into its front matter.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/dataio"
	"github.com/civicmon/civicmon/i18n"
	"github.com/civicmon/civicmon/store"
	"github.com/civicmon/civicmon/worldmap"
)

func main() {
	in := flag.String("in", "", "civicmon NDJSON export (civicmon export --format ndjson)")
	locales := flag.String("locales", "i18n/locales", "civicmon's interface catalogs (i18n/locales in the repository)")
	db := flag.String("db", "", "civicmon database, for the watchlist editions and vocabulary names (not in the export)")
	out := flag.String("out", "", "Hugo site directory (a copy of bench/hugo/site)")
	downloads := flag.Bool("downloads", false, "with -db: write the data downloads into static/data/ (whole archive and per country), which Hugo copies")
	flag.Parse()
	if *in == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	err := run(*in, *db, *locales, *out)
	if err == nil && *downloads && *db != "" {
		err = writeDownloads(*db, filepath.Join(*out, "static", "data"))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tohugo:", err)
		os.Exit(1)
	}
}

type country struct {
	Code    string     `json:"code"`
	Code3   string     `json:"code3"`
	Name    string     `json:"name"`
	Slug    string     `json:"slug"`
	Region  string     `json:"region"`
	Rating  *rating    `json:"rating"`   // current
	Cat     string     `json:"category"` // the current rating's, "" when not rated
	History []rating   `json:"history"`  // newest first
	Count   int        `json:"count"`    // published updates
	Watch   *watchNote `json:"watch,omitempty"`
}

type rating struct {
	Category  string `json:"category"`
	Name      string `json:"name"`
	Band      string `json:"band"`
	Score     int    `json:"score,omitempty"`
	Since     string `json:"since"`
	Approx    bool   `json:"approx"`
	Rationale string `json:"rationale"`
}

type watchNote struct {
	Title string `json:"title"`
}

type term struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type siteData struct {
	Countries  []*country          `json:"countries"` // by name
	ByCode     map[string]*country `json:"by_code"`
	Regions    []term              `json:"regions"`
	Freedoms   []term              `json:"freedoms"`
	Violations map[string]string   `json:"violations"`
	Targets    map[string]string   `json:"targets"`
	RegionName map[string]string   `json:"region_name"`
	FreedomNm  map[string]string   `json:"freedom_name"`
	Categories []term              `json:"categories"`
}

func run(in, dbPath, locales, out string) error {
	ctx := context.Background()
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()

	sd := siteData{ByCode: map[string]*country{}, Violations: map[string]string{}, Targets: map[string]string{},
		RegionName: map[string]string{}, FreedomNm: map[string]string{}}
	var updates []*dataio.UpdateRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		var probe struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(sc.Bytes(), &probe); err != nil {
			return fmt.Errorf("%s:%d: %w", in, line, err)
		}
		switch probe.Type {
		case "country":
			var r dataio.CountryRecord
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				return fmt.Errorf("%s:%d: %w", in, line, err)
			}
			c := &country{Code: r.Code, Code3: r.Code3, Name: r.Name, Slug: r.Slug, Region: string(r.Region)}
			sd.Countries = append(sd.Countries, c)
			sd.ByCode[c.Code] = c
		case "rating":
			var r dataio.RatingRecord
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				return fmt.Errorf("%s:%d: %w", in, line, err)
			}
			c := sd.ByCode[r.Country]
			if c == nil {
				return fmt.Errorf("%s:%d: rating of unknown country %s", in, line, r.Country)
			}
			// Ratings come by country then date: prepend, newest first.
			c.History = append([]rating{ratingOf(r)}, c.History...)
		case "update":
			u := new(dataio.UpdateRecord)
			if err := json.Unmarshal(sc.Bytes(), u); err != nil {
				return fmt.Errorf("%s:%d: %w", in, line, err)
			}
			updates = append(updates, u)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for _, c := range sd.Countries {
		if len(c.History) > 0 {
			r := c.History[0]
			c.Rating, c.Cat = &r, r.Category
		}
	}
	sort.SliceStable(sd.Countries, func(i, j int) bool { return sd.Countries[i].Name < sd.Countries[j].Name })

	vocab := civicmon.NewVocabulary(civicmon.DefaultViolations, civicmon.DefaultTargets)
	var editions []civicmon.WatchlistEdition
	if dbPath != "" {
		db, err := store.Open(dbPath)
		if err != nil {
			return err
		}
		st := db.Store()
		if vocab, err = st.Vocabulary(ctx); err != nil {
			return err
		}
		if editions, err = st.WatchlistEditions(ctx); err != nil {
			return err
		}
		db.Close()
	}
	for _, t := range vocab.Violations {
		sd.Violations[t.Slug] = t.Name
	}
	for _, t := range vocab.Targets {
		sd.Targets[t.Slug] = t.Name
	}
	for _, r := range civicmon.Regions {
		sd.Regions = append(sd.Regions, term{string(r), r.Name()})
		sd.RegionName[string(r)] = r.Name()
	}
	for _, fr := range civicmon.Freedoms {
		sd.Freedoms = append(sd.Freedoms, term{string(fr), fr.Name()})
		sd.FreedomNm[string(fr)] = fr.Name()
	}
	for _, c := range civicmon.Categories {
		sd.Categories = append(sd.Categories, term{string(c), c.Name()})
	}
	if len(editions) > 0 {
		for _, e := range editions[0].Entries {
			if c := sd.ByCode[e.CountryCode]; c != nil {
				c.Watch = &watchNote{Title: editions[0].Title}
			}
		}
	}

	w := &writer{root: out}
	// Newest first: the export lists oldest first (by date, then storage).
	for i, j := 0, len(updates)-1; i < j; i, j = i+1, j-1 {
		updates[i], updates[j] = updates[j], updates[i]
	}
	sort.SliceStable(updates, func(i, j int) bool {
		return updates[i].PublishedOn.After(updates[j].PublishedOn)
	})
	byCountry := map[string][]*dataio.UpdateRecord{}
	for _, u := range updates {
		byCountry[u.CountryCode] = append(byCountry[u.CountryCode], u)
	}
	for code, us := range byCountry {
		if c := sd.ByCode[code]; c != nil {
			c.Count = len(us)
		}
	}
	for code, us := range byCountry {
		for i, u := range us {
			var newer, older *dataio.UpdateRecord
			if i > 0 {
				newer = us[i-1]
			}
			if i+1 < len(us) {
				older = us[i+1]
			}
			if err := w.update(&sd, sd.ByCode[code], u, newer, older); err != nil {
				return err
			}
		}
	}

	if err := w.json("data/site.json", sd); err != nil {
		return err
	}
	if err := w.maps(&sd); err != nil {
		return err
	}
	if err := w.catalogs(locales); err != nil {
		return err
	}
	if err := w.sections(&sd, editions); err != nil {
		return err
	}
	return w.err
}

func ratingOf(r dataio.RatingRecord) rating {
	return rating{Category: string(r.Category), Name: r.Category.Name(), Band: r.Category.BandString(), Score: r.Score,
		Since: r.EffectiveDate.String(), Approx: r.DateApproximate, Rationale: r.Rationale}
}

type writer struct {
	root string
	err  error
	dirs map[string]bool
}

func (w *writer) file(name string, data []byte) error {
	if w.err != nil {
		return w.err
	}
	p := filepath.Join(w.root, name)
	dir := filepath.Dir(p)
	if w.dirs == nil {
		w.dirs = map[string]bool{}
	}
	if !w.dirs[dir] {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			w.err = err
			return err
		}
		w.dirs[dir] = true
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		w.err = err
	}
	return w.err
}

func (w *writer) json(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		w.err = err
		return err
	}
	return w.file(name, b)
}

// page writes a content file: JSON front matter, then the Markdown body.
func (w *writer) page(name string, front map[string]any, body string) error {
	b, err := json.MarshalIndent(front, "", " ")
	if err != nil {
		w.err = err
		return err
	}
	b = append(b, '\n', '\n')
	b = append(b, body...)
	if body != "" && !strings.HasSuffix(body, "\n") {
		b = append(b, '\n')
	}
	return w.file(name, b)
}

type link struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
}

type incident struct {
	Date      string `json:"date,omitempty"`
	Approx    bool   `json:"approx,omitempty"`
	Freedom   string `json:"freedom"`
	Violation string `json:"violation"`
	ViolName  string `json:"violation_name"`
	Target    string `json:"target"`
	People    int    `json:"people,omitempty"`
	Place     string `json:"place"`
	Text      string `json:"text"`
}

type source struct {
	URL       string `json:"url,omitempty"`
	Title     string `json:"title,omitempty"`
	Publisher string `json:"publisher,omitempty"`
	Date      string `json:"date,omitempty"`
}

type translation struct {
	Lang string `json:"lang"`
	Name string `json:"name"`
	Slug string `json:"slug"` // the page's slug: the update's, or {slug}/{lang}
}

func (w *writer) update(sd *siteData, c *country, u, newer, older *dataio.UpdateRecord) error {
	if c == nil {
		return fmt.Errorf("update %s: unknown country %s", u.Slug, u.CountryCode)
	}
	freedoms := make([]string, len(u.Freedoms))
	for i, f := range u.Freedoms {
		freedoms[i] = string(f)
	}
	front := map[string]any{
		"title":     u.Title,
		"date":      u.PublishedOn.String(),
		"approx":    u.DateApproximate,
		"summary":   u.Summary,
		"uid":       u.UID,
		"country":   c.Code,
		"countries": []string{c.Slug},
		"regions":   []string{c.Region},
		"freedoms":  freedoms,
		"tags":      u.Violations,
		"language":  u.Language,
	}
	if u.Partner != "" {
		front["partner"] = u.Partner
	}
	if !u.PeriodStart.IsZero() {
		front["period_start"], front["period_end"] = u.PeriodStart.String(), u.PeriodEnd.String()
	}
	if newer != nil {
		front["newer"] = link{newer.Slug, newer.Title}
	}
	if older != nil {
		front["older"] = link{older.Slug, older.Title}
	}
	var ins []incident
	for _, in := range u.Incidents {
		x := incident{Freedom: in.Freedom.Name(), Violation: in.Violation, ViolName: sd.Violations[in.Violation],
			Target: sd.Targets[in.Target], People: in.PeopleAffected, Place: in.Place, Text: in.Description}
		if x.Target == "" {
			x.Target = in.Target
		}
		if x.ViolName == "" {
			x.ViolName = in.Violation
		}
		if !in.OccurredOn.IsZero() {
			x.Date, x.Approx = in.OccurredOn.String(), in.DateApproximate
		}
		ins = append(ins, x)
	}
	if ins != nil {
		front["incidents"] = ins
	}
	var srcs []source
	for _, s := range u.Sources {
		x := source{URL: s.URL, Title: s.Title, Publisher: s.Publisher}
		if !s.PublishedOn.IsZero() {
			x.Date = s.PublishedOn.String()
		}
		srcs = append(srcs, x)
	}
	if srcs != nil {
		front["sources"] = srcs
	}
	if len(u.Translations) > 0 {
		trs := []translation{{Lang: u.Language, Name: langName(u.Language), Slug: u.Slug}}
		for _, t := range u.Translations {
			trs = append(trs, translation{Lang: t.Language, Name: langName(t.Language), Slug: u.Slug + "/" + t.Language})
		}
		front["translations"] = trs
		for _, t := range u.Translations {
			tf := map[string]any{}
			for k, v := range front {
				switch k {
				case "countries", "regions", "freedoms", "tags":
					tf[k+"_list"] = v // shown, but not a taxonomy: lists hold the original only
				default:
					tf[k] = v
				}
			}
			tf["title"], tf["summary"], tf["text_language"] = t.Title, t.Summary, t.Language
			tf["slug"] = u.Slug + "/" + t.Language
			tf["original"] = u.Slug
			tf["_build"] = map[string]any{"list": "never"}
			if err := w.page("content/translations/"+u.Slug+"-"+t.Language+".md", tf, t.Body); err != nil {
				return err
			}
		}
	}
	return w.page("content/updates/"+u.Slug+".md", front, u.Body)
}

func langName(code string) string {
	if l, ok := i18n.Parse(code); ok {
		return l.Name()
	}
	return code
}

// maps writes the world map of each language, linked to the country pages
// as Hugo names them (ugly URLs: /fr/countries/kazakhstan.html).
func (w *writer) maps(sd *siteData) error {
	out := map[string]map[string]string{}
	for i, l := range i18n.Supported {
		prefix := "/"
		if i > 0 {
			prefix = "/" + string(l) + "/"
		}
		cs := make([]worldmap.Country, 0, len(sd.Countries))
		for _, c := range sd.Countries {
			mc := worldmap.Country{Code: c.Code, Name: c.Name, Href: prefix + "countries/" + c.Slug + ".html"}
			if c.Rating != nil {
				mc.Category, mc.CategoryName = c.Rating.Category, l.T(c.Rating.Name)
			} else {
				mc.CategoryName = l.T("Not rated")
			}
			cs = append(cs, mc)
		}
		home, err := worldmap.HTML(cs, worldmap.Options{ID: "worldmap", Title: l.T("World map of civic space ratings")})
		if err != nil {
			return err
		}
		embed, err := worldmap.HTML(cs, worldmap.Options{ID: "worldmap", Title: l.T("World map of civic space ratings"), Target: "_top"})
		if err != nil {
			return err
		}
		out[string(l)] = map[string]string{"home": string(home), "embed": string(embed)}
	}
	return w.json("data/map.json", out)
}

// catalogs writes civicmon's interface translations as Hugo i18n files.
// English gets every message as itself: Hugo shows nothing for a message
// missing from the default language.
func (w *writer) catalogs(localeDir string) error {
	all := map[string]string{}
	for _, l := range i18n.Supported[1:] {
		b, err := os.ReadFile(filepath.Join(localeDir, string(l)+".json"))
		if err != nil {
			return err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("%s.json: %w", l, err)
		}
		for k := range m {
			all[k] = k
		}
		if err := w.json("i18n/"+string(l)+".json", m); err != nil {
			return err
		}
	}
	// Messages the theme uses that civicmon's catalogs may lack.
	for _, k := range themeMessages {
		all[k] = k
	}
	return w.json("i18n/en.json", all)
}

var themeMessages = []string{"Search the research updates", "Browse", "Search", "All countries", "More results",
	"Updates found: %d", "Countries and territories: %d", "Updates: %d", "Page %d of %d", "about %s",
	"All updates on %s", "More on %s", "score %d", "Research updates", "Read more", "Newer", "Older", "Pages"}

// sections writes the list pages, term pages and the few fixed pages.
func (w *writer) sections(sd *siteData, editions []civicmon.WatchlistEdition) error {
	never := map[string]any{"render": "never", "list": "never"}
	w.page("content/_index.md", map[string]any{"title": "The state of civic space in every country",
		"description": "Ratings of the freedoms of association, peaceful assembly and expression in every country, with research updates.",
		// The citations and the search index are written once, not per
		// interface language, as civicmon's mirror writes them.
		"cascade": []any{
			map[string]any{"_target": map[string]any{"lang": "en", "kind": "page", "path": "/updates/**"},
				"outputs": []string{"html", "bibtex", "ris", "csljson"}},
		}}, "")
	w.page("content/updates/_index.md", map[string]any{"title": "Search the research updates", "script": true,
		"cascade": []any{map[string]any{"_target": map[string]any{"lang": "en", "kind": "section"},
			"outputs": []string{"html", "searchindex"}}}}, "")
	w.page("content/translations/_index.md", map[string]any{"title": "Translations", "_build": never}, "")
	w.page("content/browse/_index.md", map[string]any{"title": "Countries", "_build": never}, "")
	w.page("content/countries/_index.md", map[string]any{"title": "Countries"}, "")
	// No /regions, /freedoms or /tags page: civicmon has none.
	w.page("content/regions/_index.md", map[string]any{"title": "Regions", "_build": never}, "")
	w.page("content/freedoms/_index.md", map[string]any{"title": "Freedoms", "_build": never}, "")
	w.page("content/tags/_index.md", map[string]any{"title": "Violations", "_build": never}, "")
	// The country lists by rating (/countries?rating=…), which the home page
	// links to. (civicmon's mirror leaves out the lists by region, which
	// only the country list's filter form, a server's, leads to.)
	for _, c := range sd.Categories {
		w.page("content/browse/rating-"+c.Slug+".md", map[string]any{"title": "Countries", "layout": "countries",
			"slug": "rating-" + c.Slug, "rating": c.Slug}, "")
	}
	for _, c := range sd.Countries {
		w.page("content/countries/"+c.Slug+"/_index.md", map[string]any{"title": c.Name, "code": c.Code}, "")
	}
	for _, r := range sd.Regions {
		w.page("content/regions/"+r.Slug+"/_index.md", map[string]any{"title": r.Name, "listing": "region"}, "")
	}
	for _, f := range sd.Freedoms {
		heading := map[string]string{"association": "Freedom of association", "peaceful-assembly": "Freedom of peaceful assembly",
			"expression": "Freedom of expression"}[f.Slug]
		w.page("content/freedoms/"+f.Slug+"/_index.md", map[string]any{"title": heading, "name": f.Name, "listing": "freedom"}, "")
	}
	for slug, name := range sd.Violations {
		w.page("content/tags/"+slug+"/_index.md", map[string]any{"title": name, "listing": "tag"}, "")
	}
	w.page("content/methodology.md", map[string]any{"title": "Methodology", "layout": "methodology"}, "")
	w.page("content/embed/map.md", map[string]any{"title": "World map of civic space ratings", "layout": "embedmap",
		"embed": true}, "")
	w.page("content/embed/_index.md", map[string]any{"title": "Embed", "_build": never}, "")

	type entry struct {
		Code      string `json:"code"`
		Narrative string `json:"narrative"`
	}
	type edition struct {
		Title  string  `json:"title"`
		Date   string  `json:"date"`
		Approx bool    `json:"approx"`
		Intro  string  `json:"intro"`
		Ents   []entry `json:"entries"`
	}
	var all []map[string]any
	eds := make([]edition, len(editions))
	for i, e := range editions {
		ed := edition{Title: e.Title, Date: e.PublishedOn.String(), Approx: e.DateApproximate, Intro: e.Introduction}
		for _, en := range e.Entries {
			ed.Ents = append(ed.Ents, entry{en.CountryCode, en.Narrative})
		}
		eds[i] = ed
		all = append(all, map[string]any{"title": e.Title, "date": ed.Date, "approx": ed.Approx})
	}
	wl := map[string]any{"title": "Watchlist", "layout": "watchlist", "editions": all, "current": true}
	if len(eds) > 0 {
		wl["title"], wl["edition"] = eds[0].Title, eds[0]
	}
	w.page("content/watchlist/_index.md", wl, "")
	for i, ed := range eds {
		w.page("content/watchlist/"+ed.Date+".md", map[string]any{"title": ed.Title, "layout": "watchlist",
			"date": ed.Date, "edition": ed, "editions": all, "current": i == 0}, "")
	}
	return w.err
}

// downloadFiles are the data downloads of the site (site/data.go).
var downloadFiles = []struct {
	name   string
	format dataio.Format
	table  dataio.Table
}{
	{"civicmon.ndjson", dataio.NDJSON, ""},
	{"civicmon.json", dataio.JSON, ""},
	{"countries.csv", dataio.CSV, dataio.Countries},
	{"ratings.csv", dataio.CSV, dataio.Ratings},
	{"updates.csv", dataio.CSV, dataio.Updates},
	{"incidents.csv", dataio.CSV, dataio.Incidents},
}

// writeDownloads writes the files of the site's download links with
// civicmon's exporter: the whole archive, and each country's.
func writeDownloads(dbPath, dir string) error {
	ctx := context.Background()
	db, err := store.Open(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	st := db.Store()
	countries, err := st.Countries(ctx)
	if err != nil {
		return err
	}
	today := civicmon.DateOf(time.Now())
	write := func(sub, code string) error {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
		for _, f := range downloadFiles {
			if code != "" && f.table == dataio.Countries {
				continue // the country pages link to no countries.csv
			}
			o := dataio.ExportOptions{Format: f.format, Table: f.table, AsOf: today}
			o.Filter.CountryCode = code
			out, err := os.Create(filepath.Join(dir, sub, f.name))
			if err != nil {
				return err
			}
			if err := dataio.Export(ctx, st, out, o); err != nil {
				out.Close()
				return fmt.Errorf("%s/%s: %w", sub, f.name, err)
			}
			if err := out.Close(); err != nil {
				return err
			}
		}
		return nil
	}
	if err := write("", ""); err != nil {
		return err
	}
	for _, c := range countries {
		if err := write("country-"+c.Code, c.Code); err != nil {
			return err
		}
	}
	return nil
}
