package web

import (
	"bytes"
	"html/template"
	"strconv"
)

// writeLanguageLink names a language in itself: as a link to href, or,
// for the one shown (current), as the text marked with aria-current.
func writeLanguageLink(w htmlWriter, current bool, ariaCurrent, lang, name, href string) {
	if current {
		w.raw(`<span aria-current="` + ariaCurrent + `" lang="`)
		w.text(lang)
		w.raw(`">`)
		w.text(name)
		w.raw("</span>")
		return
	}
	w.raw(`<a href="`)
	w.url(href)
	w.raw(`" lang="`)
	w.text(lang)
	w.raw(`" hreflang="`)
	w.text(lang)
	w.raw(`">`)
	w.text(name)
	w.raw("</a>")
}

// writeAdminNav writes the workspace's menu, on the pages of a signed-in
// account: only the entries its role may open.
func writeAdminNav(w htmlWriter, p *Page) {
	w.raw("\n <nav class=\"admin-nav\" aria-label=\"")
	w.text(p.T("Workspace"))
	w.raw("\">\n  <ul>\n   <li><a href=\"/admin\">")
	w.text(p.T("Workspace"))
	w.raw("</a></li>")
	item := func(perm, href, label string) {
		if perm == "" || p.Can(perm) {
			w.raw(`<li><a href="` + href + `">`)
			w.text(p.T(label))
			w.raw("</a></li>")
		}
	}
	item("updates:create", "/admin/updates/new", "New update")
	w.raw("\n   ")
	item("", "/admin/ratings", "Rating changes")
	item("watchlist:manage", "/admin/watchlist", "Watchlist editions")
	item("users:manage", "/admin/users", "Accounts")
	item("vocab:manage", "/admin/vocabularies", "Vocabularies")
	item("settings:manage", "/admin/settings", "Settings")
	w.raw("\n   ")
	item("", "/admin/account/2fa", "Two-step sign-in")
	w.raw("\n   <li><form method=\"post\" action=\"/admin/logout\"><input type=\"hidden\" name=\"csrf_token\" value=\"")
	w.text(p.CSRF)
	w.raw(`"><button type="submit" class="link">`)
	w.text(p.T("Sign out"))
	w.raw(" (")
	w.text(p.User.Name)
	w.raw(")</button></form></li>\n  </ul>\n </nav>")
}

// writeUpdate writes the update page's own part: the update, its
// incidents and sources, how to cite it, and the updates before and after
// it. It is most of a mirror's pages (each update in each language).
func writeUpdate(w htmlWriter, p *Page, d *updateData) {
	u, c := &d.U, &d.Country.Country
	w.raw("\n<article class=\"update\" lang=\"")
	w.text(d.Text.Lang)
	w.raw("\" dir=\"auto\">\n <p class=\"crumbs\" lang=\"")
	w.text(string(p.Lang))
	w.raw(`"><a href="`)
	w.url(p.Link("/countries/" + c.Slug))
	w.raw(`">`)
	w.text(c.Name)
	w.raw("</a> ")
	w.html(p.Badge(d.Country.Rating))
	w.raw("</p>\n <h1>")
	w.text(d.Text.Title)
	w.raw("</h1>\n <dl class=\"facts\" lang=\"")
	w.text(string(p.Lang))
	w.raw("\">\n  <dt>")
	w.text(p.T("Published"))
	w.raw(`</dt><dd><time datetime="`)
	w.text(u.PublishedOn.String())
	w.raw(`">`)
	w.text(p.ApproxDate(u.PublishedOn, u.DateApproximate))
	w.raw("</time></dd>")
	if !u.PeriodStart.IsZero() {
		w.raw("\n  <dt>")
		w.text(p.T("Reporting period"))
		w.raw("</dt><dd>")
		w.text(p.MonthYear(u.PeriodStart))
		w.raw(" – ")
		w.text(p.MonthYear(u.PeriodEnd))
		w.raw("</dd>")
	}
	if u.Partner != "" {
		w.raw("\n  <dt>")
		w.text(p.T("Research partner"))
		w.raw("</dt><dd>")
		w.text(u.Partner)
		w.raw("</dd>")
	}
	writeTermList(w, p, "Freedoms", len(u.Freedoms), func(i int) (string, string) {
		return "/freedoms/" + string(u.Freedoms[i]), p.Freedom(u.Freedoms[i])
	})
	writeTermList(w, p, "Violations", len(d.Violations), func(i int) (string, string) {
		return "/tags/" + d.Violations[i].Slug, d.Violations[i].Name
	})
	w.raw("\n  <dt class=\"print-only\">")
	w.text(p.T("Permalink"))
	w.raw(`</dt><dd class="print-only">`)
	w.text(d.URL)
	w.raw("</dd>\n </dl>")
	if len(d.Translations) > 0 {
		w.raw("\n <nav class=\"translations\" aria-label=\"")
		w.text(p.T("Translations"))
		w.raw(`" lang="`)
		w.text(string(p.Lang))
		w.raw("\">\n  <ul>")
		for _, t := range d.Translations {
			w.raw("<li>")
			writeLanguageLink(w, t.Current, "page", t.Lang, t.Name, t.Href)
			w.raw("</li>")
		}
		w.raw("</ul>\n </nav>")
	}
	if d.Text.Summary != "" {
		w.raw("\n <p class=\"summary\">")
		w.text(d.Text.Summary)
		w.raw("</p>")
	}
	w.raw("\n <div class=\"body\">")
	w.html(d.Text.Body)
	w.raw("</div>")
	if len(d.Corrections) > 0 {
		w.raw("\n <section class=\"corrections\" aria-labelledby=\"corrections-heading\" lang=\"")
		w.text(string(p.Lang))
		w.raw("\">\n  <h2 id=\"corrections-heading\">")
		w.text(p.T("Corrections"))
		w.raw("</h2>\n  <ul>")
		for _, k := range d.Corrections {
			w.raw(`<li><time datetime="`)
			w.text(k.Date.String())
			w.raw(`">`)
			w.text(p.Date(k.Date))
			w.raw("</time>: ")
			w.text(k.Note)
			w.raw("</li>")
		}
		w.raw("</ul>\n </section>")
	}
	w.raw("\n</article>")
	if len(d.Incidents) > 0 {
		writeIncidents(w, p, d.Incidents)
	}
	if len(u.Sources) > 0 {
		w.raw("\n<section aria-labelledby=\"sources-heading\">\n <h2 id=\"sources-heading\">")
		w.text(p.T("Sources"))
		w.raw("</h2>\n <ol class=\"sources\">")
		for _, src := range u.Sources {
			w.raw("\n  <li>")
			switch {
			case src.URL != "":
				w.raw(`<a href="`)
				w.url(src.URL)
				w.raw(`" rel="noreferrer">`)
				if src.Title != "" {
					w.text(src.Title)
				} else {
					w.text(src.URL)
				}
				w.raw("</a>")
			default:
				w.text(src.Title)
			}
			if src.Publisher != "" {
				w.raw(", ")
				w.text(src.Publisher)
			}
			if !src.PublishedOn.IsZero() {
				w.raw(`, <time datetime="`)
				w.text(src.PublishedOn.String())
				w.raw(`">`)
				w.text(p.Date(src.PublishedOn))
				w.raw("</time>")
			}
			w.raw("</li>")
		}
		w.raw("\n </ol>\n</section>")
	}
	w.raw("\n<section class=\"cite\" aria-labelledby=\"cite-heading\">\n <h2 id=\"cite-heading\">")
	w.text(p.T("Cite this update"))
	w.raw("</h2>\n <ul class=\"tags\">")
	for _, f := range [...]struct{ path, typ, name string }{
		{"bibtex", "application/x-bibtex", "BibTeX"},
		{"ris", "application/x-research-info-systems", "RIS"},
		{"csl-json", "application/vnd.citationstyles.csl+json", "CSL-JSON"},
	} {
		w.raw("\n  <li><a href=\"/updates/")
		w.urlPart(u.Slug)
		w.raw("/cite/" + f.path + `" type="` + f.typ + `">` + f.name + "</a></li>")
	}
	w.raw("\n </ul>\n</section>\n<nav class=\"prevnext\" aria-label=\"")
	w.text(p.T("More on %s", c.Name))
	w.raw(`">`)
	for _, n := range [...]struct {
		item  *updateItem
		label string
	}{{d.Next, "Newer"}, {d.Prev, "Older"}} {
		if n.item == nil {
			continue
		}
		w.raw("\n <p>")
		w.text(p.T(n.label))
		w.raw(`: <a href="`)
		w.url(p.Link("/updates/" + n.item.PublicUpdate.Slug))
		w.raw(`">`)
		w.text(n.item.PublicUpdate.Title)
		w.raw("</a></p>")
	}
	w.raw("\n <p><a href=\"")
	w.url(p.Link("/countries/" + c.Slug))
	w.raw(`">`)
	w.text(p.T("All updates on %s", c.Name))
	w.raw("</a></p>\n</nav>\n")
}

// writeTermList writes one of the update's facts that is a list of
// links (its freedoms, its violations), when it has any: term gives the
// i-th link's path and name.
func writeTermList(w htmlWriter, p *Page, label string, n int, term func(i int) (path, name string)) {
	if n == 0 {
		return
	}
	w.raw("\n  <dt>")
	w.text(p.T(label))
	w.raw(`</dt><dd><ul class="tags">`)
	for i := range n {
		path, name := term(i)
		w.raw(`<li><a href="`)
		w.url(p.Link(path))
		w.raw(`">`)
		w.text(name)
		w.raw("</a></li>")
	}
	w.raw("</ul></dd>")
}

func writeIncidents(w htmlWriter, p *Page, incidents []incidentView) {
	w.raw("\n<section class=\"incidents\" aria-labelledby=\"incidents-heading\">\n <h2 id=\"incidents-heading\">")
	w.text(p.T("Incidents"))
	w.raw("</h2>\n <div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"incidents-heading\">\n <table>\n  <thead><tr>\n   ")
	for i, h := range [...]string{"Date", "Freedom", "Violation", "Target", "People affected", "Place", "What happened"} {
		if i == 3 {
			w.raw("\n   ")
		}
		w.raw(`<th scope="col">`)
		w.text(p.T(h))
		w.raw("</th>")
	}
	w.raw("\n  </tr></thead>\n  <tbody>")
	for _, iv := range incidents {
		in := &iv.PublicIncident
		w.raw("\n   <tr>\n    <td>")
		if !in.OccurredOn.IsZero() {
			w.raw(`<time datetime="`)
			w.text(in.OccurredOn.String())
			w.raw(`">`)
			w.text(p.ApproxDate(in.OccurredOn, in.DateApproximate))
			w.raw("</time>")
		}
		w.raw("</td>\n    <td>")
		w.text(p.Freedom(in.Freedom))
		w.raw("</td>\n    <td><a href=\"")
		w.url(p.Link("/tags/" + in.Violation))
		w.raw(`">`)
		w.text(iv.ViolationName)
		w.raw("</a></td>\n    <td>")
		w.text(iv.TargetName)
		w.raw("</td>\n    <td>")
		if in.PeopleAffected != 0 {
			w.raw(strconv.Itoa(in.PeopleAffected))
		}
		w.raw("</td>\n    <td>")
		w.text(in.Place)
		w.raw("</td>\n    <td>")
		w.text(in.Description)
		w.raw("</td>\n   </tr>")
	}
	w.raw("\n  </tbody>\n </table>\n </div>\n</section>")
}

// UpdateList writes a list of updates (listItems, whose links and dates
// come written), with their countries where the page is not a country's.
// Lists are on most pages of a mirror, twenty items each.
func (p *Page) UpdateList(items []updateItem, showCountry bool) template.HTML {
	var b bytes.Buffer
	b.Grow(512 * (len(items) + 1))
	w := htmlWriter{&b}
	w.raw("\n<ol class=\"updates\">")
	more := p.T("Read more")
	for i := range items {
		it := &items[i]
		u := &it.PublicUpdate
		w.raw("\n <li>\n  <article>\n   <h3><a href=\"")
		w.url(it.Href)
		w.raw(`">`)
		w.text(u.Title)
		w.raw("</a></h3>\n   <p class=\"meta\">\n    <time datetime=\"")
		w.text(u.PublishedOn.String())
		w.raw(`">`)
		w.text(it.When)
		w.raw("</time>")
		if showCountry {
			w.raw(` · <a href="`)
			w.url(it.CountryHref)
			w.raw(`">`)
			w.text(it.Country.Country.Name)
			w.raw("</a>")
		}
		w.raw("\n   </p>")
		if u.Summary != "" {
			w.raw("\n   <p>")
			w.text(u.Summary)
			w.raw("</p>")
		}
		w.raw("\n   <p class=\"more\"><a href=\"")
		w.url(it.Href)
		w.raw(`">`)
		w.text(more)
		w.raw(`<span class="vh">: `)
		w.text(u.Title)
		w.raw("</span></a></p>\n  </article>\n </li>")
	}
	if len(items) == 0 {
		w.raw("\n <li>")
		w.text(p.T("No updates yet."))
		w.raw("</li>")
	}
	w.raw("\n</ol>\n")
	return template.HTML(b.String())
}
