package workspace

import (
	"net/http"
	"strings"

	"github.com/civicmon/civicmon"
)

type settingsData struct {
	Roles    []civicmon.Role
	Required map[civicmon.Role]bool
	Message  string
}

// handleSettings shows the instance's settings: the roles that must use
// two-step sign-in.
func (h *handler) handleSettings(w http.ResponseWriter, r *http.Request) {
	p := h.page(w, r, "Settings")
	v, err := h.store.Setting(r.Context(), civicmon.SettingRequire2FA)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	d := settingsData{Roles: civicmon.Roles, Required: map[civicmon.Role]bool{}}
	for _, role := range strings.Split(v, ",") {
		d.Required[civicmon.Role(strings.TrimSpace(role))] = true
	}
	if r.URL.Query().Get("done") != "" {
		d.Message = p.T("Saved.")
	}
	h.srv.Render(w, r, http.StatusOK, p, settingsPage(p, d))
}

func (h *handler) handleSettingsSave(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	var roles []string
	for _, v := range r.PostForm["require_2fa"] {
		if civicmon.Role(v).Valid() {
			roles = append(roles, v)
		}
	}
	if err := h.store.SetSetting(r.Context(), civicmon.SettingRequire2FA, strings.Join(roles, ",")); err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/settings?done=1", http.StatusSeeOther)
}
