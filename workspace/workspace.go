// Package workspace is the editorial workspace at /admin: signing in (with
// two-step sign-in and password resets), the dashboard, the update editor
// and its history, rating changes, watchlist editions, accounts,
// vocabularies and settings. It is one surface over the shared web kit:
// its routes go through web.Server.Handle with the access each needs, its
// pages through web.Server.Render inside the site's layout.
//
// Each screen is a handler file named after the templ markup it renders,
// with its test beside it: login.go, login.templ, login_test.go. Editorial
// steps — taking a workflow action on an update, proposing and deciding
// rating changes, saving watchlist editions — are civicmon.Editorial's,
// the same operations the JSON API calls.
package workspace

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/mail"
	"github.com/civicmon/civicmon/web"
)

// Store is what the workspace reads and writes: the methods of
// civicmon.Store it calls, and no more. Every civicmon.Store is one.
type Store interface {
	// What civicmon.Editorial needs (InTx, CreateUpdate, ProposeRating,
	// ApproveRatingProposal, RejectRatingProposal, CreateWatchlistEdition,
	// SaveWatchlistEdition). The password reset form uses InTx too, and
	// inside it the transaction's UsePasswordReset, SaveUser and
	// DeleteUserSessions; the reset mail's composer (reset.go) the
	// transaction's UserByEmail, CreatePasswordReset, ReplaceMail and
	// DeleteMail.
	civicmon.EditorialStore

	// Signing in and out, two-step sign-in, password resets.
	UserByEmail(ctx context.Context, email string) (*civicmon.User, error)
	CreateSession(ctx context.Context, s *civicmon.Session) error
	DeleteSession(ctx context.Context, tokenHash string) error
	EnqueueMail(ctx context.Context, m *civicmon.OutboxMail) error
	Audit(ctx context.Context, action, entity, entityID, detail string) error

	// Accounts.
	Users(ctx context.Context) ([]civicmon.User, error)
	UserByID(ctx context.Context, id int64) (*civicmon.User, error)
	CreateUser(ctx context.Context, u *civicmon.User) error
	SaveUser(ctx context.Context, u *civicmon.User) error
	DeleteUserSessions(ctx context.Context, userID int64) error

	// Updates and the history of every record.
	FindUpdates(ctx context.Context, f civicmon.UpdateFilter) ([]civicmon.Update, int, error)
	Comments(ctx context.Context, updateID int64) ([]civicmon.Comment, error)
	NotificationSettings(ctx context.Context, userID int64) (*civicmon.NotificationSettings, error)
	SaveNotificationSettings(ctx context.Context, n *civicmon.NotificationSettings) error
	UpdateByID(ctx context.Context, id int64) (*civicmon.Update, error)
	Revisions(ctx context.Context, entity string, entityID int64) ([]civicmon.Revision, error)

	// The archive's lists.
	ArchiveUpdates(ctx context.Context, q civicmon.ArchiveQuery) ([]civicmon.ArchiveEntry, int, error)
	ArchiveRatingProposals(ctx context.Context, q civicmon.ProposalQuery) ([]civicmon.RatingProposal, int, error)

	// Rating changes, watchlist editions, vocabularies and settings.
	RatingProposals(ctx context.Context, status string) ([]civicmon.RatingProposal, error)
	CurrentRatings(ctx context.Context, asOf civicmon.Date) (map[string]civicmon.Rating, error)
	RatingHistory(ctx context.Context, countryCode string) ([]civicmon.Rating, error)
	WatchlistEditions(ctx context.Context) ([]civicmon.WatchlistEdition, error)
	Vocabulary(ctx context.Context) (*civicmon.Vocabulary, error)
	AddViolationType(ctx context.Context, t civicmon.Term) error
	AddTargetGroup(ctx context.Context, t civicmon.Term) error
	SettingVersion(ctx context.Context, key string) (string, int64, error)
	SetSettingAt(ctx context.Context, key, value string, version int64) (int64, error)

	// Translations of fields: the current ratings' rationales are among
	// the fields to translate (CurrentRatings, above).
	FieldTranslations(ctx context.Context) ([]civicmon.FieldTranslation, error)
	SaveFieldTranslation(ctx context.Context, f *civicmon.FieldTranslation) error
	DeleteFieldTranslation(ctx context.Context, kind civicmon.FieldKind, record, lang string, version int64) error
}

// Options are what the workspace needs beside the server and the store.
type Options struct {
	// Now is the clock (time.Now when nil).
	Now civicmon.Clock
	// Mail sends password reset links; the reset form says it is not
	// available when its Host is empty.
	Mail mail.Config
	// Logger logs what fails beside the request (slog.Default when nil).
	Logger *slog.Logger
}

// handler serves the workspace's routes.
type handler struct {
	srv   *web.Server
	store Store
	ed    *civicmon.Editorial
	now   civicmon.Clock
	mail  mail.Config
	log   *slog.Logger
	// Failed sign-ins, per account, per address and per known device
	// (device.go), and the TOTP time steps already used.
	accountThrottle, addressThrottle, deviceThrottle *throttle
	totpSteps                                        usedSteps
}

// Workspace is the mounted workspace: what the server runs beside its
// routes.
type Workspace struct {
	// Composers prepare the workspace's mail in the outbox before the
	// worker sends it (password reset requests), by kind.
	Composers map[string]func(ctx context.Context, m *civicmon.OutboxMail) (bool, error)
}

// Mount registers the workspace's routes on srv, each with the access it
// needs.
func Mount(srv *web.Server, store Store, opts Options) *Workspace {
	h := &handler{srv: srv, store: store, now: opts.Now, mail: opts.Mail, log: opts.Logger,
		accountThrottle: newThrottle(5, 15*time.Minute), addressThrottle: newThrottle(30, 15*time.Minute),
		deviceThrottle: newThrottle(5, 15*time.Minute)}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.ed = &civicmon.Editorial{Store: store, Now: h.now}

	anonymous := web.Access{AnonymousOnly: true}
	srv.Handle("GET /admin/login", anonymous, h.handleLoginForm)
	srv.Handle("POST /admin/login", anonymous, h.handleLogin)
	srv.Handle("POST /admin/logout", anonymous, h.handleLogout)
	srv.Handle("GET /admin/login/2fa", anonymous, h.handleTwoFactorForm)
	srv.Handle("POST /admin/login/2fa", anonymous, h.handleTwoFactor)
	srv.Handle("GET /admin/password-reset", anonymous, h.handleResetRequestForm)
	srv.Handle("POST /admin/password-reset", anonymous, h.handleResetRequest)
	srv.Handle("GET /admin/password-reset/{token}", anonymous, h.handleResetForm)
	srv.Handle("POST /admin/password-reset/{token}", anonymous, h.handleReset)
	srv.Handle("GET /admin/account/2fa", web.Need(civicmon.PermAdminAccess), h.handleAccount2FA)
	srv.Handle("POST /admin/account/2fa", web.Need(civicmon.PermAdminAccess), h.handleAccount2FASave)
	srv.Handle("GET /admin/account/notifications", web.Need(civicmon.PermAdminAccess), h.handleNotifications)
	srv.Handle("POST /admin/account/notifications", web.Need(civicmon.PermAdminAccess), h.handleNotificationsSave)
	srv.Handle("GET /admin", web.Need(civicmon.PermAdminAccess), h.handleDashboard)
	srv.Handle("GET /admin/archive", web.Need(civicmon.PermUpdatesCreate), h.handleArchive)
	srv.Handle("GET /admin/archive/ratings", web.Need(civicmon.PermAdminAccess), h.handleProposalArchive)
	srv.Handle("GET /admin/archive/watchlist", web.Need(civicmon.PermWatchlistManage), h.handleEditionArchive)
	srv.Handle("POST /admin/archive/bulk", web.Need(civicmon.PermUpdatesEditAny), h.handleArchiveBulk)
	srv.Handle("GET /admin/updates/new", web.Need(civicmon.PermUpdatesCreate), h.handleUpdateForm)
	srv.Handle("POST /admin/updates", web.Need(civicmon.PermUpdatesCreate).WithMaxBody(UpdateFormMaxBody), h.handleUpdateSave)
	srv.Handle("GET /admin/updates/{id}", web.Need(civicmon.PermUpdatesCreate), h.handleUpdateForm)
	srv.Handle("POST /admin/updates/{id}", web.Need(civicmon.PermUpdatesCreate).WithMaxBody(UpdateFormMaxBody), h.handleUpdateSave)
	srv.Handle("POST /admin/updates/{id}/comments", web.Need(civicmon.PermUpdatesCreate), h.handleComment)
	srv.Handle("GET /admin/updates/{id}/history", web.Need(civicmon.PermHistoryRead), h.handleUpdateHistory)
	srv.Handle("GET /admin/ratings", web.Need(civicmon.PermAdminAccess), h.handleRatings)
	srv.Handle("POST /admin/ratings", web.Need(civicmon.PermRatingsPropose), h.handleProposeRating)
	srv.Handle("POST /admin/ratings/{id}/{decision}", web.Need(civicmon.PermRatingsApprove), h.handleDecideRating)
	srv.Handle("GET /admin/watchlist", web.Need(civicmon.PermWatchlistManage), h.handleWatchlist)
	srv.Handle("POST /admin/watchlist", web.Need(civicmon.PermWatchlistManage), h.handleWatchlistSave)
	srv.Handle("GET /admin/watchlist/{id}", web.Need(civicmon.PermWatchlistManage), h.handleWatchlist)
	srv.Handle("POST /admin/watchlist/{id}", web.Need(civicmon.PermWatchlistManage), h.handleWatchlistSave)
	srv.Handle("GET /admin/history/{entity}/{id}", web.Need(civicmon.PermHistoryRead), h.handleRecordHistory)
	srv.Handle("GET /admin/users", web.Need(civicmon.PermUsersManage), h.handleUsers)
	srv.Handle("POST /admin/users", web.Need(civicmon.PermUsersManage), h.handleUserCreate)
	srv.Handle("POST /admin/users/{id}", web.Need(civicmon.PermUsersManage), h.handleUserUpdate)
	srv.Handle("GET /admin/vocabularies", web.Need(civicmon.PermVocabManage), h.handleVocabularies)
	srv.Handle("POST /admin/vocabularies", web.Need(civicmon.PermVocabManage), h.handleVocabularyAdd)
	srv.Handle("GET /admin/translations", web.Need(civicmon.PermUpdatesEditAny), h.handleTranslations)
	srv.Handle("POST /admin/translations", web.Need(civicmon.PermUpdatesEditAny), h.handleTranslationSave)
	srv.Handle("GET /admin/settings", web.Need(civicmon.PermSettingsManage), h.handleSettings)
	srv.Handle("POST /admin/settings", web.Need(civicmon.PermSettingsManage), h.handleSettingsSave)
	return &Workspace{Composers: map[string]func(context.Context, *civicmon.OutboxMail) (bool, error){
		civicmon.MailPasswordResetRequest: h.composeReset,
	}}
}

// page starts a workspace page: never cached, never indexed, with the form
// token and the signed-in account.
func (h *handler) page(w http.ResponseWriter, r *http.Request, title string) *web.Page {
	w.Header().Set("Cache-Control", "no-store")
	p := h.srv.NewPage(r, "")
	p.Title = p.T(title)
	p.NoIndex = true
	p.User = web.UserFrom(r.Context())
	p.CSRF = h.srv.CSRFToken(w, r)
	return p
}

// fail answers workspace errors: 403 and 404 as pages, others as 500.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if civicmon.ErrorCode(err) == civicmon.EFORBIDDEN {
		h.srv.Forbidden(w, r, civicmon.ErrorMessage(err))
		return
	}
	h.srv.Fail(w, r, err)
}

// formError shows validation and conflict errors on the form, and fails
// otherwise.
func (h *handler) formError(w http.ResponseWriter, r *http.Request, err error, show func([]civicmon.FieldError)) {
	var ve *civicmon.ValidationError
	switch {
	case errors.As(err, &ve):
		show(ve.Fields)
	case civicmon.ErrorCode(err) == civicmon.ECONFLICT:
		show([]civicmon.FieldError{{Field: "form", Message: civicmon.ErrorMessage(err)}})
	default:
		h.srv.Fail(w, r, err)
	}
}

// audit appends an audit entry for an action that changes no record (a
// sign-in); a failure is logged, not shown.
func (h *handler) audit(ctx context.Context, action, entity, entityID, detail string) {
	if err := h.store.Audit(ctx, action, entity, entityID, detail); err != nil {
		h.log.Error("audit", "err", err)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// msgid marks a message that is translated later, where it is shown, so
// that the catalog tests find it.
func msgid(s string) string { return s }
