package workspace

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
)

type settingsData struct {
	Roles    []civicmon.Role
	Required map[civicmon.Role]bool
	Version  int64 // of the setting, which the form carries
	Message  string
	// Conflict, when set, is the setting as someone else saved it while
	// the form was open; the form holds the person's choice.
	Conflict *conflictData
}

// handleSettings shows the instance's settings: the roles that must use
// two-step sign-in.
func (h *handler) handleSettings(w http.ResponseWriter, r *http.Request) {
	p := h.page(w, r, "Settings")
	v, version, err := h.store.SettingVersion(r.Context(), civicmon.SettingRequire2FA)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	d := settingsData{Roles: civicmon.Roles, Required: requiredRoles(v), Version: version}
	if r.URL.Query().Get("done") != "" {
		d.Message = p.T("Saved.")
	}
	h.srv.Render(w, r, http.StatusOK, p, settingsPage(p, d))
}

func requiredRoles(v string) map[civicmon.Role]bool {
	m := map[civicmon.Role]bool{}
	for _, role := range strings.Split(v, ",") {
		if role = strings.TrimSpace(role); role != "" {
			m[civicmon.Role(role)] = true
		}
	}
	return m
}

// handleSettingsSave saves the settings over the version the form was
// opened at; when someone changed them meanwhile, it shows both and keeps
// the person's choice in the form.
func (h *handler) handleSettingsSave(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	var roles []string
	for _, v := range r.PostForm["require_2fa"] {
		if civicmon.Role(v).Valid() {
			roles = append(roles, v)
		}
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	value := strings.Join(roles, ",")
	_, err := h.store.SetSettingAt(r.Context(), civicmon.SettingRequire2FA, value, version)
	if civicmon.IsStale(err) {
		p := h.page(w, r, "Settings")
		theirs, now, err := h.store.SettingVersion(r.Context(), civicmon.SettingRequire2FA)
		if err != nil {
			h.srv.Fail(w, r, err)
			return
		}
		names := func(v string) string {
			var out []string
			for _, role := range civicmon.Roles {
				if requiredRoles(v)[role] {
					out = append(out, string(role))
				}
			}
			return strings.Join(out, ", ")
		}
		row := diffRow{Label: p.T("Require two-step sign-in for these roles"), Mine: names(value), Theirs: names(theirs)}
		row.Changed = row.Mine != row.Theirs
		d := settingsData{Roles: civicmon.Roles, Required: requiredRoles(value), Version: now,
			Conflict: &conflictData{Base: version, Now: now, Rows: []diffRow{row}, Discard: "/admin/settings"}}
		h.srv.Render(w, r, http.StatusConflict, p, settingsPage(p, d))
		return
	}
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/settings?done=1", http.StatusSeeOther)
}
