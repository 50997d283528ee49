package workspace

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

// The archives of rating change proposals and watchlist editions, beside
// the archive of updates: filters in the URL, sort, pages.

type proposalFilter struct {
	Statuses []string
	Country  string
	Proposer string
	From, To string // effective dates
	Q        string
	Sort     string
	Reverse  bool
	Page     int
}

func (f proposalFilter) url(page int) string {
	v := url.Values{}
	for _, s := range f.Statuses {
		v.Add("status", s)
	}
	for k, s := range map[string]string{"country": f.Country, "proposer": f.Proposer, "from": f.From, "to": f.To, "q": f.Q, "sort": f.Sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Reverse {
		v.Set("reverse", "1")
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/admin/archive/ratings"
	}
	return "/admin/archive/ratings?" + v.Encode()
}

func (f proposalFilter) hasStatus(s string) bool {
	for _, x := range f.Statuses {
		if x == s {
			return true
		}
	}
	return false
}

type proposalArchiveData struct {
	F         proposalFilter
	Items     []proposalView
	Total     int
	Pages     int
	Countries []civicmon.Country
	Accounts  []civicmon.User
	Errors    []civicmon.FieldError
}

func parseProposalFilter(v url.Values) (proposalFilter, civicmon.ProposalQuery, []civicmon.FieldError) {
	validUTF8(v)
	var errs []civicmon.FieldError
	bad := func(field, msg string) { errs = append(errs, civicmon.FieldError{Field: field, Message: msg}) }
	f := proposalFilter{Country: strings.ToUpper(strings.TrimSpace(v.Get("country"))), Proposer: strings.TrimSpace(v.Get("proposer")),
		From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")), Q: strings.TrimSpace(v.Get("q")),
		Sort: v.Get("sort"), Reverse: v.Get("reverse") != ""}
	f.Q = cleanText(f.Q)
	q := civicmon.ProposalQuery{CountryCode: f.Country, Text: f.Q, Reverse: f.Reverse, Limit: archivePerPage}
	for _, s := range v["status"] {
		if civicmon.ValidProposalStatus(s) {
			f.Statuses = append(f.Statuses, s)
			q.Statuses = append(q.Statuses, s)
		} else if s != "" {
			bad("status", msgid("is not a status of a rating change"))
		}
	}
	if f.Proposer != "" {
		id, err := strconv.ParseInt(f.Proposer, 10, 64)
		if err != nil || id <= 0 {
			bad("proposer", msgid("is not an account"))
			f.Proposer = ""
		}
		q.ProposedBy = id
	}
	for _, d := range []struct {
		field string
		s     *string
		d     *civicmon.Date
	}{{"from", &f.From, &q.Since}, {"to", &f.To, &q.Until}} {
		if *d.s == "" {
			continue
		}
		var err error
		if *d.d, err = civicmon.ParseDate(*d.s); err != nil {
			bad(d.field, msgid("is not a date in the form YYYY-MM-DD"))
			*d.s = ""
		}
	}
	switch f.Sort {
	case "", "proposed":
		f.Sort = ""
	case "effective", "country":
		q.Sort = f.Sort
	default:
		bad("sort", msgid("is not a sort order"))
		f.Sort = ""
	}
	page, ok := web.PageNumber(v.Get("page"))
	if !ok {
		bad("page", msgid("is not a page number"))
		page = 1
	}
	f.Page = page
	q.Offset = (page - 1) * archivePerPage
	return f, q, errs
}

// handleProposalArchive lists every rating change proposal, decided ones
// too, for everyone who opens the rating changes.
func (h *handler) handleProposalArchive(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := h.page(w, r, "Archive")
	p.Title = p.T("Archive") + ": " + p.T("Rating changes")
	f, q, errs := parseProposalFilter(r.URL.Query())
	translate(p, errs)
	site, err := h.srv.SiteData(ctx)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	ps, total, err := h.store.ArchiveRatingProposals(ctx, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	users, err := h.store.Users(ctx)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	names := map[int64]string{}
	d := proposalArchiveData{F: f, Total: total, Pages: max(1, (total+archivePerPage-1)/archivePerPage), Countries: site.Countries, Errors: errs}
	for _, u := range users {
		names[u.ID] = u.Name
		if u.Role.Can(civicmon.PermRatingsPropose) && !strings.HasSuffix(u.Email, "@api-tokens.invalid") {
			d.Accounts = append(d.Accounts, u)
		}
	}
	for _, pr := range ps {
		v := proposalView{RatingProposal: pr, Proposer: names[pr.ProposedBy], Decider: names[pr.DecidedBy], Country: pr.CountryCode}
		if c, ok := site.ByCode[pr.CountryCode]; ok {
			v.Country = c.Name
		}
		d.Items = append(d.Items, v)
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	h.srv.Render(w, r, status, p, proposalArchivePage(p, d))
}

type editionArchiveData struct {
	Editions []civicmon.WatchlistEdition
	Today    civicmon.Date
	Q        string
	State    string // "", "public", "scheduled"
	Year     string
	Years    []int
	Names    map[string]string
	Errors   []civicmon.FieldError
}

// handleEditionArchive lists every watchlist edition, scheduled ones too,
// filtered by year, state and words. There are a few editions a year, so
// the list is filtered in memory.
func (h *handler) handleEditionArchive(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := h.page(w, r, "Archive")
	p.Title = p.T("Archive") + ": " + p.T("Watchlist editions")
	v := r.URL.Query()
	d := editionArchiveData{Today: civicmon.DateOf(h.now()), Q: strings.TrimSpace(v.Get("q")), State: v.Get("state"), Year: v.Get("year"),
		Names: map[string]string{}}
	var errs []civicmon.FieldError
	if d.State != "" && d.State != "public" && d.State != "scheduled" {
		errs = append(errs, civicmon.FieldError{Field: "state", Message: msgid("is not public or scheduled")})
		d.State = ""
	}
	year := 0
	if d.Year != "" {
		n, err := strconv.Atoi(d.Year)
		if err != nil || n < 1 || n > 9999 {
			errs = append(errs, civicmon.FieldError{Field: "year", Message: msgid("is not a year")})
			d.Year = ""
		}
		year = n
	}
	translate(p, errs)
	d.Errors = errs
	site, err := h.srv.SiteData(ctx)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	for _, c := range site.Countries {
		d.Names[c.Code] = c.Name
	}
	eds, err := h.store.WatchlistEditions(ctx)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	words := strings.Fields(strings.ToLower(d.Q))
	seenYear := map[int]bool{}
	for _, e := range eds {
		if y := e.PublishedOn.Year(); !seenYear[y] {
			seenYear[y] = true
			d.Years = append(d.Years, y)
		}
		if year != 0 && e.PublishedOn.Year() != year {
			continue
		}
		if (d.State == "public" && e.Scheduled(d.Today)) || (d.State == "scheduled" && !e.Scheduled(d.Today)) {
			continue
		}
		if !editionMatches(&e, d.Names, words) {
			continue
		}
		d.Editions = append(d.Editions, e)
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	h.srv.Render(w, r, status, p, editionArchivePage(p, d))
}

// editionMatches reports whether every word is in the edition's title,
// introduction, a narrative or a listed country's name.
func editionMatches(e *civicmon.WatchlistEdition, names map[string]string, words []string) bool {
	var b strings.Builder
	b.WriteString(e.Title + "\n" + e.Introduction)
	for _, en := range e.Entries {
		b.WriteString("\n" + en.Narrative + "\n" + names[en.CountryCode] + "\n" + en.CountryCode)
	}
	text := strings.ToLower(b.String())
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}
