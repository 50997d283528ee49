package workspace

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

// The archive: every update the account may see, with its filters in the
// URL so that a view can be saved and shared, and for editors the bulk
// steps (assign an author, set a date, publish), each through
// civicmon.Editorial.

const archivePerPage = 50

// archiveFilter is the archive's state as the URL carries it.
type archiveFilter struct {
	Q           string
	Statuses    []string
	Country     string
	Author      string // "", "none", or an account id
	Imported    bool
	Lang        string
	From, To    string // publication dates
	ChangedFrom string
	ChangedTo   string
	Sort        string
	Reverse     bool
	Page        int
}

// query is the filter as URL parameters, without the page.
func (f archiveFilter) query() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", f.Q)
	for _, s := range f.Statuses {
		v.Add("status", s)
	}
	set("country", f.Country)
	set("author", f.Author)
	if f.Imported {
		v.Set("imported", "1")
	}
	set("language", f.Lang)
	set("from", f.From)
	set("to", f.To)
	set("changed_from", f.ChangedFrom)
	set("changed_to", f.ChangedTo)
	set("sort", f.Sort)
	if f.Reverse {
		v.Set("reverse", "1")
	}
	return v
}

// url is the archive at the filter and the page.
func (f archiveFilter) url(page int) string {
	v := f.query()
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/admin/archive"
	}
	return "/admin/archive?" + v.Encode()
}

func (f archiveFilter) hasStatus(s civicmon.Status) bool {
	for _, x := range f.Statuses {
		if x == string(s) {
			return true
		}
	}
	return false
}

type archiveData struct {
	F         archiveFilter
	Entries   []civicmon.ArchiveEntry
	Total     int
	Pages     int
	Countries []civicmon.Country
	Names     map[string]string // country code → name
	Authors   []civicmon.User   // accounts that write updates, for the filter and assigning
	AllViews  bool              // the account sees everyone's updates
	Bulk      bool              // the account may take the bulk steps
	Errors    []civicmon.FieldError
	Message   string
}

// parseArchiveFilter reads the archive's URL parameters into the query the
// store runs, with an error for each that makes no sense.
func parseArchiveFilter(v url.Values) (archiveFilter, civicmon.ArchiveQuery, []civicmon.FieldError) {
	validUTF8(v)
	var errs []civicmon.FieldError
	bad := func(field, msg string) { errs = append(errs, civicmon.FieldError{Field: field, Message: msg}) }
	f := archiveFilter{Q: strings.TrimSpace(v.Get("q")), Country: strings.ToUpper(strings.TrimSpace(v.Get("country"))),
		Author: strings.TrimSpace(v.Get("author")), Imported: v.Get("imported") != "", Lang: strings.TrimSpace(v.Get("language")),
		From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")),
		ChangedFrom: strings.TrimSpace(v.Get("changed_from")), ChangedTo: strings.TrimSpace(v.Get("changed_to")),
		Sort: v.Get("sort"), Reverse: v.Get("reverse") != ""}
	q := civicmon.ArchiveQuery{Text: f.Q, CountryCode: f.Country, Imported: f.Imported, Language: f.Lang, Reverse: f.Reverse,
		Limit: archivePerPage}
	f.Q = cleanText(f.Q)
	q.Text = f.Q
	for _, s := range v["status"] {
		if civicmon.Status(s).Valid() {
			f.Statuses = append(f.Statuses, s)
			q.Statuses = append(q.Statuses, civicmon.Status(s))
		} else if s != "" {
			bad("status", msgid("is not a status of an update"))
		}
	}
	switch f.Author {
	case "":
	case "none":
		q.NoAuthor = true
	default:
		id, err := strconv.ParseInt(f.Author, 10, 64)
		if err != nil || id <= 0 {
			bad("author", msgid("is not an account"))
			f.Author = ""
		} else {
			q.AuthorID = id
		}
	}
	date := func(field string, s *string, d *civicmon.Date) {
		if *s == "" {
			return
		}
		var err error
		if *d, err = civicmon.ParseDate(*s); err != nil {
			bad(field, msgid("is not a date in the form YYYY-MM-DD"))
			*s = ""
		}
	}
	date("from", &f.From, &q.Since)
	date("to", &f.To, &q.Until)
	date("changed_from", &f.ChangedFrom, &q.ChangedSince)
	date("changed_to", &f.ChangedTo, &q.ChangedUntil)
	switch f.Sort {
	case "", civicmon.SortChanged:
		f.Sort = ""
	case civicmon.SortPublished, civicmon.SortCreated, civicmon.SortTitle, civicmon.SortCountry:
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

// cleanText keeps a query's words fit for the database: valid UTF-8 (a
// stray byte would be an error on PostgreSQL, not the asker's answer) and
// at most 500 characters.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	if r := []rune(s); len(r) > 500 {
		s = string(r[:500])
	}
	return s
}

// validUTF8 drops the bytes of the parameters that are not UTF-8: no filter
// holds them, and PostgreSQL refuses them.
func validUTF8(v url.Values) {
	for _, vals := range v {
		for i := range vals {
			vals[i] = strings.ToValidUTF8(vals[i], "")
		}
	}
}

// handleArchive lists the updates the account may see.
func (h *handler) handleArchive(w http.ResponseWriter, r *http.Request) {
	p := h.page(w, r, "Archive")
	f, q, errs := parseArchiveFilter(r.URL.Query())
	translate(p, errs)
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	d, err := h.archive(r, p, f, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Errors = errs
	d.Message = archiveDoneMessage(p, r.URL.Query())
	h.srv.Render(w, r, status, p, archivePage(p, d))
}

// archive reads a page of the archive for the signed-in account: a
// researcher sees their own updates only, whatever the URL says.
func (h *handler) archive(r *http.Request, p *web.Page, f archiveFilter, q civicmon.ArchiveQuery) (*archiveData, error) {
	ctx := r.Context()
	me := p.User
	d := &archiveData{F: f, AllViews: me.Role.Can(civicmon.PermUpdatesEditAny), Bulk: me.Role.Can(civicmon.PermUpdatesEditAny)}
	if !d.AllViews {
		q.AuthorID, q.NoAuthor = me.ID, false
		d.F.Author = ""
	}
	site, err := h.srv.SiteData(ctx)
	if err != nil {
		return nil, err
	}
	d.Countries = site.Countries
	d.Names = make(map[string]string, len(site.Countries))
	for _, c := range site.Countries {
		d.Names[c.Code] = c.Name
	}
	if d.AllViews {
		users, err := h.store.Users(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			// API tokens' service accounts write through the API, never as authors of record.
			if u.Role.Can(civicmon.PermUpdatesCreate) && !u.Disabled && !strings.HasSuffix(u.Email, "@api-tokens.invalid") {
				d.Authors = append(d.Authors, u)
			}
		}
	}
	d.Entries, d.Total, err = h.store.ArchiveUpdates(ctx, q)
	if err != nil {
		return nil, err
	}
	d.Pages = max(1, (d.Total+archivePerPage-1)/archivePerPage)
	return d, nil
}

// archiveDoneMessage says what a bulk step did (?done=publish&n=3).
func archiveDoneMessage(p *web.Page, v url.Values) string {
	n, _ := strconv.Atoi(v.Get("n"))
	switch v.Get("done") {
	case "publish":
		return p.T("Published: %d updates.", n)
	case "assign":
		return p.T("Assigned to a new author: %d updates.", n)
	case "date":
		return p.T("Publication date set: %d updates.", n)
	}
	return ""
}

// archiveBack is where a bulk step returns: the archive view it was taken
// from, or the archive.
func archiveBack(s string) string {
	if strings.HasPrefix(s, "/admin/archive") && !strings.ContainsAny(s, "\\\r\n") && !strings.HasPrefix(s, "/admin/archive/") {
		return s
	}
	return "/admin/archive"
}

// withDone adds the outcome of a bulk step to the view's URL.
func withDone(back, done string, n int) string {
	u, err := url.Parse(back)
	if err != nil {
		return "/admin/archive"
	}
	v := u.Query()
	v.Set("done", done)
	v.Set("n", strconv.Itoa(n))
	u.RawQuery = v.Encode()
	return u.String()
}

type bulkItem struct {
	ID    int64
	Title string
	Err   string
}

type bulkData struct {
	Action  string
	Items   []bulkItem
	Back    string
	Author  string
	Date    string
	Done    int
	Confirm bool // the page asks to confirm; otherwise it reports
}

const maxBulk = 200

// handleArchiveBulk takes a bulk step on the chosen updates, each through
// civicmon.Editorial, so that every one is checked and audited on its own.
// Publishing asks for confirmation first. When all succeed it returns to
// the archive view with a message; otherwise it lists what failed and why.
func (h *handler) handleArchiveBulk(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	me := web.UserFrom(ctx)
	p := h.page(w, r, "Archive")
	r.ParseForm()
	d := bulkData{Action: r.PostFormValue("action"), Back: archiveBack(r.PostFormValue("back")),
		Author: r.PostFormValue("author"), Date: strings.TrimSpace(r.PostFormValue("date"))}
	var errs []civicmon.FieldError
	bad := func(field, msg string) { errs = append(errs, civicmon.FieldError{Field: field, Message: msg}) }
	var ids []int64
	seen := map[int64]bool{}
	for _, s := range r.PostForm["id"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			bad("id", msgid("is not an update"))
			continue
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		bad("id", msgid("Choose at least one update."))
	}
	if len(ids) > maxBulk {
		bad("id", p.T("At most %d updates at once.", maxBulk))
	}
	var author int64
	var day civicmon.Date
	switch d.Action {
	case "publish":
	case "assign":
		var err error
		if author, err = strconv.ParseInt(d.Author, 10, 64); err != nil || author <= 0 {
			bad("author", msgid("Choose the author to assign."))
		}
	case "date":
		var err error
		if day, err = civicmon.ParseDate(d.Date); err != nil {
			bad("date", msgid("is not a date in the form YYYY-MM-DD"))
		}
	default:
		bad("action", msgid("Choose a step: assign, set a date or publish."))
	}
	if len(errs) > 0 {
		translate(p, errs)
		f, q, _ := parseArchiveFilter(backQuery(d.Back))
		ad, err := h.archive(r, p, f, q)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		ad.Errors = errs
		h.srv.Render(w, r, http.StatusUnprocessableEntity, p, archivePage(p, ad))
		return
	}
	for _, id := range ids {
		item := bulkItem{ID: id, Title: "#" + itoa64(id)}
		if u, err := h.store.UpdateByID(ctx, id); err == nil && civicmon.CanView(me, u) {
			item.Title = u.Title
		}
		d.Items = append(d.Items, item)
	}
	if d.Action == "publish" && r.PostFormValue("confirm") == "" {
		d.Confirm = true
		p.Title = p.T("Publish these updates?")
		h.srv.Render(w, r, http.StatusOK, p, bulkPage(p, d))
		return
	}
	ed := h.editorial(r) // a bulk publish mails each author, as the form's does
	for i := range d.Items {
		it := &d.Items[i]
		var err error
		switch d.Action {
		case "publish":
			_, err = ed.ApplyStored(ctx, me, civicmon.ActionPublish, it.ID)
		case "assign":
			err = h.ed.Assign(ctx, me, it.ID, author)
		case "date":
			err = h.ed.SetPublicationDate(ctx, me, it.ID, day)
		}
		var ve *civicmon.ValidationError
		switch {
		case err == nil:
			d.Done++
		case errors.As(err, &ve):
			msgs := make([]string, len(ve.Fields))
			for j, fe := range ve.Fields {
				msgs[j] = fe.Field + ": " + fe.Message
			}
			it.Err = strings.Join(msgs, "; ")
		case civicmon.ErrorCode(err) == civicmon.EINTERNAL:
			h.srv.Fail(w, r, err)
			return
		default:
			it.Err = civicmon.ErrorMessage(err)
		}
	}
	if d.Done == len(d.Items) {
		http.Redirect(w, r, withDone(d.Back, d.Action, d.Done), http.StatusSeeOther)
		return
	}
	p.Title = p.T("Some updates were not changed")
	h.srv.Render(w, r, http.StatusConflict, p, bulkPage(p, d))
}

// translate puts the messages of the form's own checks (msgid) into the
// page's language.
func translate(p *web.Page, errs []civicmon.FieldError) {
	for i := range errs {
		errs[i].Message = p.T(errs[i].Message)
	}
}

// backQuery is the query of an archive view's URL.
func backQuery(back string) url.Values {
	u, err := url.Parse(back)
	if err != nil {
		return url.Values{}
	}
	return u.Query()
}

// bulkStepName is what a bulk step is called on its pages.
func bulkStepName(p *web.Page, action string) string {
	switch action {
	case "publish":
		return p.T("Publish")
	case "assign":
		return p.T("Assign to an author")
	case "date":
		return p.T("Set the publication date")
	}
	return action
}
