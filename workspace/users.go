package workspace

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/password"
	"github.com/civicmon/civicmon/web"
)

type usersData struct {
	Users   []civicmon.User
	Roles   []civicmon.Role
	Form    civicmon.User
	Errors  []civicmon.FieldError
	Message string
}

// handleUsers lists the accounts, with the form to add one.
func (h *handler) handleUsers(w http.ResponseWriter, r *http.Request) {
	h.renderUsers(w, r, http.StatusOK, civicmon.User{Role: civicmon.RoleResearcher}, nil, r.URL.Query().Get("done"))
}

func (h *handler) renderUsers(w http.ResponseWriter, r *http.Request, status int, form civicmon.User, errs []civicmon.FieldError, done string) {
	p := h.page(w, r, "Accounts")
	users, err := h.store.Users(r.Context())
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	d := usersData{Users: users, Roles: civicmon.Roles, Form: form, Errors: errs}
	if done != "" {
		d.Message = p.T("Saved.")
	}
	h.srv.Render(w, r, status, p, usersPage(p, d))
}

// handleUserCreate adds an account with a first password that its owner
// changes through "Forgot your password?" or `civicmon user passwd`.
func (h *handler) handleUserCreate(w http.ResponseWriter, r *http.Request) {
	u := civicmon.User{Email: r.PostFormValue("email"), Name: strings.TrimSpace(r.PostFormValue("name")),
		Role: civicmon.Role(r.PostFormValue("role"))}
	pw := r.PostFormValue("password")
	if err := password.Check(pw); err != nil {
		h.renderUsers(w, r, http.StatusUnprocessableEntity, u, []civicmon.FieldError{{Field: "user.password", Message: strings.TrimPrefix(err.Error(), "password: ")}}, "")
		return
	}
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	u.PasswordHash = hash
	if err := h.store.CreateUser(r.Context(), &u); err != nil {
		h.formError(w, r, err, func(errs []civicmon.FieldError) { h.renderUsers(w, r, http.StatusUnprocessableEntity, u, errs, "") })
		return
	}
	http.Redirect(w, r, "/admin/users?done=1", http.StatusSeeOther)
}

// handleUserUpdate changes an account's role, disables or enables it, or
// clears its second factor (for someone who lost their phone).
func (h *handler) handleUserUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	me := web.UserFrom(ctx)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.srv.NotFound(w, r)
		return
	}
	u, err := h.store.UserByID(ctx, id)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	signOut := false
	switch r.PostFormValue("action") {
	case "role":
		u.Role = civicmon.Role(r.PostFormValue("role"))
		if u.ID == me.ID && u.Role != civicmon.RoleAdmin {
			h.renderUsers(w, r, http.StatusConflict, civicmon.User{Role: civicmon.RoleResearcher},
				[]civicmon.FieldError{{Field: "user.role", Message: "you cannot take the admin role from yourself; another admin can"}}, "")
			return
		}
	case "disable":
		if u.ID == me.ID {
			h.renderUsers(w, r, http.StatusConflict, civicmon.User{Role: civicmon.RoleResearcher},
				[]civicmon.FieldError{{Field: "user.disabled", Message: "you cannot disable your own account"}}, "")
			return
		}
		u.Disabled, signOut = true, true
	case "enable":
		u.Disabled = false
	case "clear_2fa":
		u.TOTPSecret = ""
	default:
		h.srv.NotFound(w, r)
		return
	}
	if err := h.store.SaveUser(ctx, u); err != nil {
		h.formError(w, r, err, func(errs []civicmon.FieldError) {
			h.renderUsers(w, r, http.StatusUnprocessableEntity, civicmon.User{Role: civicmon.RoleResearcher}, errs, "")
		})
		return
	}
	if signOut {
		if err := h.store.DeleteUserSessions(ctx, u.ID); err != nil {
			h.srv.Fail(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/admin/users?done=1", http.StatusSeeOther)
}
