package workspace

import (
	"errors"
	"net/http"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

type notificationsData struct {
	Set     *civicmon.NotificationSettings
	Email   string
	Errors  []civicmon.FieldError
	Message string
	Mail    bool // the server sends mail at all
}

// notifyKindName says what a kind of notification is about.
func notifyKindName(p *web.Page, kind string) string {
	switch kind {
	case civicmon.NotifySubmitted:
		return p.T("An update is sent for review (to those who review)")
	case civicmon.NotifyChangesRequested:
		return p.T("Changes are requested on my update")
	case civicmon.NotifyPublished:
		return p.T("My update is published")
	case civicmon.NotifyComment:
		return p.T("Someone writes in a conversation I take part in")
	case civicmon.NotifyRatings:
		return p.T("A rating change is proposed (to those who approve), or my proposal is decided")
	}
	return kind
}

// handleNotifications shows the account's choice of notification mail.
func (h *handler) handleNotifications(w http.ResponseWriter, r *http.Request) {
	p := h.page(w, r, "Notification mail")
	set, err := h.store.NotificationSettings(r.Context(), p.User.ID)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	d := notificationsData{Set: set, Email: p.User.Email, Mail: h.mail.Host != ""}
	if r.URL.Query().Get("done") != "" {
		d.Message = p.T("Your choice of notification mail is saved.")
	}
	h.srv.Render(w, r, http.StatusOK, p, notificationsPage(p, d))
}

// handleNotificationsSave stores the account's choice: the form lists the
// kinds wanted, so those left unticked are muted.
func (h *handler) handleNotificationsSave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	me := web.UserFrom(ctx)
	r.ParseForm()
	wanted := map[string]bool{}
	for _, k := range r.PostForm["want"] {
		wanted[k] = true
	}
	set := &civicmon.NotificationSettings{UserID: me.ID, AllOff: r.PostFormValue("all_off") != "", Address: r.PostFormValue("address")}
	for _, k := range civicmon.NotifyKinds {
		if !wanted[k] {
			set.Muted = append(set.Muted, k)
		}
	}
	err := h.store.SaveNotificationSettings(civicmon.WithActor(ctx, me.ID), set)
	var ve *civicmon.ValidationError
	switch {
	case err == nil:
		http.Redirect(w, r, "/admin/account/notifications?done=1", http.StatusSeeOther)
	case errors.As(err, &ve):
		p := h.page(w, r, "Notification mail")
		h.srv.Render(w, r, http.StatusUnprocessableEntity, p, notificationsPage(p, notificationsData{Set: set, Email: me.Email,
			Errors: ve.Fields, Mail: h.mail.Host != ""}))
	default:
		h.srv.Fail(w, r, err)
	}
}
