package workspace

import (
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
	Errors    []civicmon.FieldError
	Message   string
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
	d := watchlistData{Editions: eds, Today: civicmon.DateOf(h.now()), Countries: site.Countries, Form: form, Rows: rows, Errors: errs}
	if done {
		d.Message = p.T("Published.")
	} else if status == http.StatusOK {
		d.Message = scheduledMessage(p, r)
	}
	h.srv.Render(w, r, status, p, watchlistPage(p, d))
}

// handleWatchlistSave publishes a new watchlist edition, or saves the one
// in the path, through civicmon.Editorial.
func (h *handler) handleWatchlistSave(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	var id int64
	if v := r.PathValue("id"); v != "" {
		edition, err := h.watchlistEdition(r, v)
		if err != nil {
			h.srv.Fail(w, r, err)
			return
		}
		id = edition.ID
	}
	edition := civicmon.WatchlistEdition{ID: id, Title: strings.TrimSpace(r.PostFormValue("title")),
		Introduction: r.PostFormValue("introduction"), DateApproximate: r.PostFormValue("date_approximate") != ""}
	var errs []civicmon.FieldError
	d, err := civicmon.ParseDate(strings.TrimSpace(r.PostFormValue("published_on")))
	if err != nil {
		errs = append(errs, civicmon.FieldError{Field: "watchlist.published_on", Message: err.Error()})
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
	// An edition public at once is shown as readers will see it, and
	// published only when confirmed (a scheduled one waits for its day).
	if len(errs) == 0 && r.PostFormValue("confirm") == "" && edition.Validate() == nil && !edition.Scheduled(civicmon.DateOf(h.now())) &&
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
		if err != nil {
			h.formError(w, r, err, func(fe []civicmon.FieldError) { errs = fe })
			if errs == nil {
				return
			}
		}
	}
	if len(errs) > 0 {
		h.renderWatchlist(w, r, http.StatusUnprocessableEntity, edition, errs, false)
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
