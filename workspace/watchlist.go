package workspace

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
	sitepages "github.com/civicmon/civicmon/site"
	"github.com/civicmon/civicmon/web"
)

type watchlistData struct {
	Editions  []civicmon.WatchlistEdition // every one, scheduled ones too
	Today     civicmon.Date
	Countries []civicmon.Country
	Form      civicmon.WatchlistEdition
	Rows      []civicmon.WatchlistEntry
	Errors    *formErrors
	Raw       map[string]string // what was typed in fields that did not parse
	Message   string
	// Conflict, when set, is the edition as someone else saved it while
	// the form was open; the form holds the person's version.
	Conflict *conflictData
}

// val is what a field shows: what was typed when it did not parse, else
// the value.
func (d *watchlistData) val(id, value string) string {
	if v, ok := d.Raw[id]; ok {
		return v
	}
	return value
}

// action is where the form posts: a new edition's, or the edition's own.
func (d *watchlistData) action() string {
	if d.Form.ID != 0 {
		return "/admin/watchlist/" + itoa64(d.Form.ID)
	}
	return "/admin/watchlist"
}

const watchlistRows = 6

// handleWatchlist lists the editions, with the form to publish a new one
// or, with an id in the path, to edit that one.
func (h *handler) handleWatchlist(w http.ResponseWriter, r *http.Request) {
	form := civicmon.WatchlistEdition{}
	if id := r.PathValue("id"); id != "" {
		ed, err := h.watchlistEdition(r, id)
		if err != nil {
			h.srv.Fail(w, r, err)
			return
		}
		form = *ed
	}
	h.renderWatchlist(w, r, http.StatusOK, form, nil, r.URL.Query().Get("done") != "")
}

// scheduledMessage says, after a save, on which day the edition will be
// public (?scheduled=YYYY-MM-DD), or nothing.
func scheduledMessage(p *web.Page, r *http.Request) string {
	d, err := civicmon.ParseDate(r.URL.Query().Get("scheduled"))
	if err != nil || d.IsZero() {
		return ""
	}
	return p.T("Scheduled for %s", d.String())
}

// watchlistEdition finds an edition by its id in the path.
func (h *handler) watchlistEdition(r *http.Request, id string) (*civicmon.WatchlistEdition, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, civicmon.Errorf(civicmon.ENOTFOUND, "no watchlist edition %q", id)
	}
	eds, err := h.store.WatchlistEditions(r.Context())
	if err != nil {
		return nil, err
	}
	for i := range eds {
		if eds[i].ID == n {
			return &eds[i], nil
		}
	}
	return nil, civicmon.Errorf(civicmon.ENOTFOUND, "no watchlist edition %d", n)
}

func (h *handler) renderWatchlist(w http.ResponseWriter, r *http.Request, status int, form civicmon.WatchlistEdition, errs []civicmon.FieldError, done bool) {
	h.renderWatchlistForm(w, r, status, form, errs, nil, nil, done)
}

func (h *handler) renderWatchlistForm(w http.ResponseWriter, r *http.Request, status int, form civicmon.WatchlistEdition,
	errs []civicmon.FieldError, raw map[string]string, conflict func(p *web.Page) *conflictData, done bool) {
	p := h.page(w, r, "Watchlist editions")
	site, err := h.srv.SiteData(r.Context())
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	// Every edition, not SiteData's public ones: the scheduled are listed too.
	eds, err := h.store.WatchlistEditions(r.Context())
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	rows := append(append([]civicmon.WatchlistEntry{}, form.Entries...), make([]civicmon.WatchlistEntry, max(0, watchlistRows-len(form.Entries)))...)
	d := watchlistData{Editions: eds, Today: civicmon.DateOf(h.now()), Countries: site.Countries, Form: form, Rows: rows,
		Errors: watchlistFormErrors(p, errs, raw), Raw: raw}
	if conflict != nil {
		d.Conflict = conflict(p)
	}
	if done {
		d.Message = p.T("Published.")
	} else if status == http.StatusOK {
		d.Message = scheduledMessage(p, r)
	}
	h.srv.Render(w, r, status, p, watchlistPage(p, d))
}

// handleWatchlistSave publishes a new watchlist edition, or saves the one
// in the path, through civicmon.Editorial. The form carries the version it
// was opened at; a save from an older one shows both versions, the form
// holding the person's.
func (h *handler) handleWatchlistSave(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	var stored *civicmon.WatchlistEdition
	if v := r.PathValue("id"); v != "" {
		var err error
		if stored, err = h.watchlistEdition(r, v); err != nil {
			h.srv.Fail(w, r, err)
			return
		}
	}
	edition := civicmon.WatchlistEdition{Title: strings.TrimSpace(r.PostFormValue("title")),
		Introduction: r.PostFormValue("introduction"), DateApproximate: r.PostFormValue("date_approximate") != ""}
	edition.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if stored != nil {
		edition.ID = stored.ID
	}
	var errs []civicmon.FieldError
	raw := map[string]string{}
	typed := strings.TrimSpace(r.PostFormValue("published_on"))
	d, err := civicmon.ParseDate(typed)
	if err != nil {
		errs = append(errs, civicmon.FieldError{Field: "watchlist.published_on", Message: err.Error()})
		raw["w-date"] = typed
	}
	edition.PublishedOn = d
	for i := 0; i < 50; i++ {
		k := fmt.Sprintf("entries.%d.", i)
		if _, ok := r.PostForm[k+"country"]; !ok {
			break
		}
		e := civicmon.WatchlistEntry{CountryCode: r.PostFormValue(k + "country"), Narrative: r.PostFormValue(k + "narrative")}
		if e.CountryCode == "" && strings.TrimSpace(e.Narrative) == "" {
			continue
		}
		edition.Entries = append(edition.Entries, e)
	}
	conflict := func() {
		now, err := h.watchlistEdition(r, itoa64(edition.ID))
		if err != nil {
			h.srv.Fail(w, r, err)
			return
		}
		base := edition.Version
		edition.Version = now.Version
		h.renderWatchlistForm(w, r, http.StatusConflict, edition, nil, raw, func(p *web.Page) *conflictData {
			return &conflictData{Base: base, Now: now.Version, By: h.lastSaver(r.Context(), "watchlist", now.ID),
				Rows: watchlistDiffs(p, &edition, now), Discard: "/admin/watchlist/" + itoa64(now.ID)}
		}, false)
	}
	if stored != nil && edition.Version != stored.Version {
		conflict()
		return
	}
	// Every check in one round: the date that did not parse, and the
	// domain's checks of the rest.
	check := edition
	if check.PublishedOn.IsZero() && len(errs) > 0 {
		check.PublishedOn = civicmon.NewDate(2000, 1, 1) // reported already
	}
	var ve *civicmon.ValidationError
	if errors.As(check.Validate(), &ve) {
		errs = append(errs, ve.Fields...)
	}
	// An edition public at once is shown as readers will see it, and
	// published only when confirmed (a scheduled one waits for its day).
	if len(errs) == 0 && r.PostFormValue("confirm") == "" && !edition.Scheduled(civicmon.DateOf(h.now())) &&
		!h.editionDateTaken(r, &edition) {
		h.confirmEdition(w, r, &edition)
		return
	}
	if len(errs) == 0 {
		err := h.ed.SaveWatchlistEdition(r.Context(), web.UserFrom(r.Context()), &edition)
		if civicmon.ErrorCode(err) == civicmon.EFORBIDDEN {
			h.srv.Forbidden(w, r, civicmon.ErrorMessage(err))
			return
		}
		if civicmon.IsStale(err) {
			conflict()
			return
		}
		if err != nil {
			h.formError(w, r, err, func(fe []civicmon.FieldError) { errs = fe })
			if errs == nil {
				return
			}
		}
	}
	if len(errs) > 0 {
		h.renderWatchlistForm(w, r, http.StatusUnprocessableEntity, edition, errs, raw, nil, false)
		return
	}
	if edition.Scheduled(civicmon.DateOf(h.now())) {
		http.Redirect(w, r, "/admin/watchlist?scheduled="+edition.PublishedOn.String(), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/admin/watchlist?done=1", http.StatusSeeOther)
}

// confirmEdition asks to confirm the publication of a watchlist edition,
// showing it as its public page will.
func (h *handler) confirmEdition(w http.ResponseWriter, r *http.Request, edition *civicmon.WatchlistEdition) {
	p := h.page(w, r, "Watchlist editions")
	site, err := h.srv.SiteData(r.Context())
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	d := confirmData{Title: edition.Title, Post: r.URL.Path, Back: "/admin/watchlist",
		Question:    p.T("Publish the watchlist edition “%s”?", edition.Title),
		Consequence: p.T("It becomes the current watchlist at once, on the watchlist page, the map and the API. This is how readers will see it:"),
		Button:      p.T("Publish"),
		Preview:     sitepages.WatchlistPreview(p, site, edition)}
	if edition.ID != 0 {
		d.Back = "/admin/watchlist/" + itoa64(edition.ID)
	}
	d.Fields = postedFields(r)
	p.Title = d.Question
	h.srv.Render(w, r, http.StatusOK, p, confirmPage(p, d))
}

// editionDateTaken reports whether another edition has the edition's date,
// which the save refuses: no confirmation is asked for a save that fails.
func (h *handler) editionDateTaken(r *http.Request, edition *civicmon.WatchlistEdition) bool {
	eds, err := h.store.WatchlistEditions(r.Context())
	if err != nil {
		return false
	}
	for _, e := range eds {
		if e.ID != edition.ID && e.PublishedOn.Equal(edition.PublishedOn) {
			return true
		}
	}
	return false
}

// watchlistFormErrors places the domain's field errors of an edition on
// its form, in the person's words.
func watchlistFormErrors(p *web.Page, errs []civicmon.FieldError, raw map[string]string) *formErrors {
	out := &formErrors{}
	for _, fe := range errs {
		var id, row, msg string
		var i int
		switch {
		case fe.Field == "watchlist.published_on":
			id, msg = "w-date", fieldMessage(p, "published_on", fe.Message, raw["w-date"])
		case fe.Field == "watchlist.title":
			id, msg = "w-title", p.T("Enter a title")
		case sscan(fe.Field, "watchlist.entries[%d].country", &i):
			id, row = fmt.Sprintf("we%dc", i), p.T("Country %d", i+1)
			msg = p.T("Choose a country")
			if strings.Contains(fe.Message, "twice") {
				msg = p.T("This country is on the edition twice")
			}
		default:
			out.list = append(out.list, formError{ID: "w-save", Summary: fe.Message})
			continue
		}
		summary := msg
		if row != "" {
			summary = p.T("%s: %s", row, msg)
		}
		out.add(formError{ID: id, Summary: summary, Message: msg})
	}
	return out
}

// sscan reports whether s is format with one integer, which it stores.
func sscan(s, format string, n *int) bool {
	_, err := fmt.Sscanf(s, format, n)
	return err == nil && fmt.Sprintf(format, *n) == s
}

// watchlistDiffs is both versions of an edition field by field.
func watchlistDiffs(p *web.Page, mine, theirs *civicmon.WatchlistEdition) []diffRow {
	yes := func(b bool) string {
		if b {
			return p.T("yes")
		}
		return p.T("no")
	}
	entries := func(es []civicmon.WatchlistEntry) string {
		var b strings.Builder
		for i, e := range es {
			fmt.Fprintf(&b, "%s: %s\n%s\n\n", p.T("Country %d", i+1), e.CountryCode, e.Narrative)
		}
		return b.String()
	}
	rows := []diffRow{
		{"", p.T("Publication date"), mine.PublishedOn.String(), theirs.PublishedOn.String(), false},
		{"", p.T("The date is approximate"), yes(mine.DateApproximate), yes(theirs.DateApproximate), false},
		{"", p.T("Title"), mine.Title, theirs.Title, false},
		{"", p.T("Introduction (Markdown)"), mine.Introduction, theirs.Introduction, false},
		{"", p.T("Countries"), entries(mine.Entries), entries(theirs.Entries), false},
	}
	for i := range rows {
		rows[i].Changed = strings.TrimSpace(rows[i].Mine) != strings.TrimSpace(rows[i].Theirs)
	}
	return rows
}
