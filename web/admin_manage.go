package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/password"
)

type usersData struct {
	Users   []civicmon.User
	Roles   []civicmon.Role
	Form    civicmon.User
	Errors  []civicmon.FieldError
	Message string
}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) {
	s.renderUsers(w, r, http.StatusOK, civicmon.User{Role: civicmon.RoleResearcher}, nil, r.URL.Query().Get("done"))
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, form civicmon.User, errs []civicmon.FieldError, done string) {
	p := s.adminPage(w, r, "Accounts")
	users, err := s.cfg.Store.Users(r.Context())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	data := usersData{Users: users, Roles: civicmon.Roles, Form: form, Errors: errs}
	if done != "" {
		data.Message = p.T("Saved.")
	}
	p.Data = data
	s.RenderTemplate(w, r, status, "admin_users", p)
}

// handleUserCreate adds an account with a first password that its owner
// changes through "Forgot your password?" or `civicmon user passwd`.
func (s *Server) handleUserCreate(w http.ResponseWriter, r *http.Request) {
	u := civicmon.User{Email: r.PostFormValue("email"), Name: strings.TrimSpace(r.PostFormValue("name")),
		Role: civicmon.Role(r.PostFormValue("role"))}
	pw := r.PostFormValue("password")
	if err := password.Check(pw); err != nil {
		s.renderUsers(w, r, http.StatusUnprocessableEntity, u, []civicmon.FieldError{{Field: "user.password", Message: strings.TrimPrefix(err.Error(), "password: ")}}, "")
		return
	}
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	u.PasswordHash = hash
	if err := s.cfg.Store.CreateUser(r.Context(), &u); err != nil {
		s.formError(w, r, err, func(errs []civicmon.FieldError) { s.renderUsers(w, r, http.StatusUnprocessableEntity, u, errs, "") })
		return
	}
	http.Redirect(w, r, "/admin/users?done=1", http.StatusSeeOther)
}

// handleUserUpdate changes an account's role, disables or enables it, or
// clears its second factor (for someone who lost their phone).
func (s *Server) handleUserUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	me := UserFrom(ctx)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.NotFound(w, r)
		return
	}
	u, err := s.cfg.Store.UserByID(ctx, id)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	signOut := false
	switch r.PostFormValue("action") {
	case "role":
		u.Role = civicmon.Role(r.PostFormValue("role"))
		if u.ID == me.ID && u.Role != civicmon.RoleAdmin {
			s.renderUsers(w, r, http.StatusConflict, civicmon.User{Role: civicmon.RoleResearcher},
				[]civicmon.FieldError{{Field: "user.role", Message: "you cannot take the admin role from yourself; another admin can"}}, "")
			return
		}
	case "disable":
		if u.ID == me.ID {
			s.renderUsers(w, r, http.StatusConflict, civicmon.User{Role: civicmon.RoleResearcher},
				[]civicmon.FieldError{{Field: "user.disabled", Message: "you cannot disable your own account"}}, "")
			return
		}
		u.Disabled, signOut = true, true
	case "enable":
		u.Disabled = false
	case "clear_2fa":
		u.TOTPSecret = ""
	default:
		s.NotFound(w, r)
		return
	}
	if err := s.cfg.Store.SaveUser(ctx, u); err != nil {
		s.formError(w, r, err, func(errs []civicmon.FieldError) {
			s.renderUsers(w, r, http.StatusUnprocessableEntity, civicmon.User{Role: civicmon.RoleResearcher}, errs, "")
		})
		return
	}
	if signOut {
		if err := s.cfg.Store.DeleteUserSessions(ctx, u.ID); err != nil {
			s.Fail(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/admin/users?done=1", http.StatusSeeOther)
}

// formError shows validation and conflict errors on the form, and fails
// otherwise.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, err error, show func([]civicmon.FieldError)) {
	var ve *civicmon.ValidationError
	switch {
	case errors.As(err, &ve):
		show(ve.Fields)
	case civicmon.ErrorCode(err) == civicmon.ECONFLICT:
		show([]civicmon.FieldError{{Field: "form", Message: civicmon.ErrorMessage(err)}})
	default:
		s.Fail(w, r, err)
	}
}

type vocabData struct {
	Vocab   *civicmon.Vocabulary
	Errors  []civicmon.FieldError
	Message string
	Kind    string
	Form    civicmon.Term
}

func (s *Server) handleVocabularies(w http.ResponseWriter, r *http.Request) {
	s.renderVocab(w, r, http.StatusOK, vocabData{Kind: "violation"}, r.URL.Query().Get("done") != "")
}

func (s *Server) renderVocab(w http.ResponseWriter, r *http.Request, status int, data vocabData, done bool) {
	p := s.adminPage(w, r, "Vocabularies")
	v, err := s.cfg.Store.Vocabulary(r.Context())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	data.Vocab = v
	if done {
		data.Message = p.T("Saved.")
	}
	p.Data = data
	s.RenderTemplate(w, r, status, "admin_vocab", p)
}

func (s *Server) handleVocabularyAdd(w http.ResponseWriter, r *http.Request) {
	t := civicmon.Term{Slug: strings.TrimSpace(r.PostFormValue("slug")), Name: strings.TrimSpace(r.PostFormValue("name"))}
	if t.Slug == "" {
		t.Slug = civicmon.Slugify(t.Name)
	}
	kind := r.PostFormValue("kind")
	var err error
	switch kind {
	case "violation":
		err = s.cfg.Store.AddViolationType(r.Context(), t)
	case "target":
		err = s.cfg.Store.AddTargetGroup(r.Context(), t)
	default:
		err = &civicmon.ValidationError{Fields: []civicmon.FieldError{{Field: "kind", Message: fmt.Sprintf("%q is not a vocabulary; allowed: violation, target", kind)}}}
	}
	if err != nil {
		s.formError(w, r, err, func(errs []civicmon.FieldError) {
			s.renderVocab(w, r, http.StatusUnprocessableEntity, vocabData{Errors: errs, Kind: kind, Form: t}, false)
		})
		return
	}
	http.Redirect(w, r, "/admin/vocabularies?done=1", http.StatusSeeOther)
}

type watchlistAdminData struct {
	Editions  []civicmon.WatchlistEdition
	Countries []civicmon.Country
	Form      civicmon.WatchlistEdition
	Rows      []civicmon.WatchlistEntry
	Errors    []civicmon.FieldError
	Message   string
}

const watchlistRows = 6

func (s *Server) handleWatchlistAdmin(w http.ResponseWriter, r *http.Request) {
	form := civicmon.WatchlistEdition{}
	if id := r.PathValue("id"); id != "" {
		ed, err := s.watchlistEdition(r, id)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		form = *ed
	}
	s.renderWatchlistAdmin(w, r, http.StatusOK, form, nil, r.URL.Query().Get("done") != "")
}

// watchlistEdition finds an edition by its id in the path.
func (s *Server) watchlistEdition(r *http.Request, id string) (*civicmon.WatchlistEdition, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, civicmon.Errorf(civicmon.ENOTFOUND, "no watchlist edition %q", id)
	}
	eds, err := s.cfg.Store.WatchlistEditions(r.Context())
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

func (s *Server) renderWatchlistAdmin(w http.ResponseWriter, r *http.Request, status int, form civicmon.WatchlistEdition, errs []civicmon.FieldError, done bool) {
	p := s.adminPage(w, r, "Watchlist editions")
	d, err := s.SiteData(r.Context())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	rows := append(append([]civicmon.WatchlistEntry{}, form.Entries...), make([]civicmon.WatchlistEntry, max(0, watchlistRows-len(form.Entries)))...)
	data := watchlistAdminData{Editions: d.Editions, Countries: d.Countries, Form: form, Rows: rows, Errors: errs}
	if done {
		data.Message = p.T("Published.")
	}
	p.Data = data
	s.RenderTemplate(w, r, status, "admin_watchlist", p)
}

// handleWatchlistCreate publishes a new watchlist edition, or saves the
// one in the path.
func (s *Server) handleWatchlistCreate(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	var id int64
	if v := r.PathValue("id"); v != "" {
		ed, err := s.watchlistEdition(r, v)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		id = ed.ID
	}
	ed := civicmon.WatchlistEdition{ID: id, Title: strings.TrimSpace(r.PostFormValue("title")),
		Introduction: r.PostFormValue("introduction"), DateApproximate: r.PostFormValue("date_approximate") != ""}
	var errs []civicmon.FieldError
	d, err := civicmon.ParseDate(strings.TrimSpace(r.PostFormValue("published_on")))
	if err != nil {
		errs = append(errs, civicmon.FieldError{Field: "watchlist.published_on", Message: err.Error()})
	}
	ed.PublishedOn = d
	for i := 0; i < 50; i++ {
		k := fmt.Sprintf("entries.%d.", i)
		if _, ok := r.PostForm[k+"country"]; !ok {
			break
		}
		e := civicmon.WatchlistEntry{CountryCode: r.PostFormValue(k + "country"), Narrative: r.PostFormValue(k + "narrative")}
		if e.CountryCode == "" && strings.TrimSpace(e.Narrative) == "" {
			continue
		}
		ed.Entries = append(ed.Entries, e)
	}
	if len(errs) == 0 {
		if ed.ID != 0 {
			err = s.cfg.Store.SaveWatchlistEdition(r.Context(), &ed)
		} else {
			err = s.cfg.Store.CreateWatchlistEdition(r.Context(), &ed)
		}
		if err != nil {
			s.formError(w, r, err, func(fe []civicmon.FieldError) { errs = fe })
			if errs == nil {
				return
			}
		}
	}
	if len(errs) > 0 {
		s.renderWatchlistAdmin(w, r, http.StatusUnprocessableEntity, ed, errs, false)
		return
	}
	http.Redirect(w, r, "/admin/watchlist?done=1", http.StatusSeeOther)
}

type settingsData struct {
	Roles    []civicmon.Role
	Required map[civicmon.Role]bool
	Message  string
}

func (s *Server) handleSettings(w http.ResponseWriter, r *http.Request) {
	p := s.adminPage(w, r, "Settings")
	v, err := s.cfg.Store.Setting(r.Context(), civicmon.SettingRequire2FA)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	data := settingsData{Roles: civicmon.Roles, Required: map[civicmon.Role]bool{}}
	for _, role := range strings.Split(v, ",") {
		data.Required[civicmon.Role(strings.TrimSpace(role))] = true
	}
	if r.URL.Query().Get("done") != "" {
		data.Message = p.T("Saved.")
	}
	p.Data = data
	s.RenderTemplate(w, r, http.StatusOK, "admin_settings", p)
}

func (s *Server) handleSettingsSave(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	var roles []string
	for _, v := range r.PostForm["require_2fa"] {
		if civicmon.Role(v).Valid() {
			roles = append(roles, v)
		}
	}
	if err := s.cfg.Store.SetSetting(r.Context(), civicmon.SettingRequire2FA, strings.Join(roles, ",")); err != nil {
		s.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/settings?done=1", http.StatusSeeOther)
}
