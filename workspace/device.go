package workspace

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
)

// Device cookies (OWASP's "device cookies" against lockout attacks): a
// browser that signed in to an account gets a cookie that names the
// account, a random nonce and an HMAC of both. Five wrong passwords lock an
// account for new clients, but a browser presenting a valid device cookie
// of the account is throttled on a counter of its own, so that someone
// guessing passwords elsewhere cannot lock its owner out.
const (
	deviceCookie = "civicmon_device"
	// deviceTTL is how long a browser stays known.
	deviceTTL = 365 * 24 * time.Hour
)

// deviceMAC signs a device cookie's nonce and account. The key is derived
// from the account's password hash: a secret only the server holds (it
// includes the hash's random salt), bound to the account, the same in
// every process and across restarts — and a new password makes every
// device of the account new again.
func deviceMAC(u *civicmon.User, nonce string) []byte {
	key := sha256.Sum256([]byte("civicmon device cookie v1\x00" + u.PasswordHash))
	m := hmac.New(sha256.New, key[:])
	m.Write([]byte(nonce + "." + itoa64(u.ID)))
	return m.Sum(nil)
}

// setDevice gives the browser a new device cookie of the account it has
// just signed in to (replacing any other account's).
func (h *handler) setDevice(w http.ResponseWriter, r *http.Request, u *civicmon.User) {
	var b [16]byte
	rand.Read(b[:])
	nonce := base64.RawURLEncoding.EncodeToString(b[:])
	v := nonce + "." + itoa64(u.ID) + "." + base64.RawURLEncoding.EncodeToString(deviceMAC(u, nonce))
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: v, Path: "/admin", HttpOnly: true,
		Secure: h.srv.Secure(r), SameSite: http.SameSiteStrictMode, MaxAge: int(deviceTTL.Seconds())})
}

// knownDevice returns the nonce of the request's device cookie when it is
// a valid one of the account, and "" otherwise.
func knownDevice(r *http.Request, u *civicmon.User) string {
	c, err := r.Cookie(deviceCookie)
	if err != nil || u == nil {
		return ""
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] != itoa64(u.ID) {
		return ""
	}
	mac, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(mac, deviceMAC(u, parts[0])) {
		return ""
	}
	return parts[0]
}

// limit is a throttle a sign-in counts against, with what a client that
// used it up is told.
type limit struct {
	t        *throttle
	key, msg string
}

// signInLimits are the throttles a sign-in to the account (u, nil when no
// account has the address) from this request counts against: a known
// device's own counter, or else the account's and the address's.
func (h *handler) signInLimits(r *http.Request, email string, u *civicmon.User) []limit {
	if n := knownDevice(r, u); n != "" {
		return []limit{{h.deviceThrottle, "device:" + n, msgid("Too many failed sign-ins for this account. Wait 15 minutes and try again, or reset the password.")}}
	}
	return []limit{
		{h.accountThrottle, "account:" + email, msgid("Too many failed sign-ins for this account. Wait 15 minutes and try again, or reset the password.")},
		{h.addressThrottle, "address:" + clientIP(r), msgid("Too many failed sign-ins from this network. Wait 15 minutes and try again.")},
	}
}

// codeLimit is the throttle a second-factor code counts against: the
// account's, or a known device's own.
func (h *handler) codeLimit(r *http.Request, u *civicmon.User) limit {
	return h.signInLimits(r, u.Email, u)[0]
}
