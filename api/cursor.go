package api

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

// cursor is a position in the newest-first order of published
// updates, and for incidents, in the update's incidents: the publication
// date, the update's stable id and the incident's position. The store's
// internal id is looked up from the stable id.
//
// A cursor is signed: its text is the payload followed by the payload's
// HMAC-SHA256 under the server's cursor key, in unpadded base64url. The
// server reads only cursors it made, so a crafted one — naming a draft's
// stable id, say — is refused exactly as garbage is, and cannot tell
// anyone whether what it names exists.
type cursor struct {
	kind        string // "u" for updates, "i" for incidents
	publishedOn civicmon.Date
	uid         string
	position    int
}

func (c cursor) payload() string {
	s := c.kind + "1|" + c.publishedOn.String() + "|" + c.uid
	if c.kind == "i" {
		s += "|" + strconv.Itoa(c.position)
	}
	return s
}

func (c cursor) encode(key []byte) string {
	p := []byte(c.payload())
	return base64.RawURLEncoding.EncodeToString(append(p, sign(key, p)...))
}

func sign(key, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	return m.Sum(nil)
}

// decodeCursor reads a cursor of the given kind that key signed; false
// for anything else.
func decodeCursor(key []byte, kind, v string) (*cursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(raw) <= sha256.Size {
		return nil, false
	}
	payload, mac := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	if !hmac.Equal(mac, sign(key, payload)) {
		return nil, false
	}
	parts := strings.Split(string(payload), "|")
	want := 3
	if kind == "i" {
		want = 4
	}
	if len(parts) != want || parts[0] != kind+"1" || parts[2] == "" {
		return nil, false
	}
	c := &cursor{kind: kind, uid: parts[2]}
	if c.publishedOn, err = civicmon.ParseDate(parts[1]); err != nil || c.publishedOn.IsZero() {
		return nil, false
	}
	if kind == "i" {
		if c.position, err = strconv.Atoi(parts[3]); err != nil || c.position < 1 {
			return nil, false
		}
	}
	return c, true
}

// cursorKey is the key that signs cursors: 32 random bytes kept in the
// settings (civicmon.SettingAPICursorKey), so that cursors outlive a
// restart and every process on the database accepts the others'. It is
// read on first use, and made then when the database has none.
type cursorKey struct {
	store civicmon.Settings
	mu    sync.Mutex
	key   []byte
}

func (k *cursorKey) get(ctx context.Context) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.key != nil {
		return k.key, nil
	}
	v, err := k.store.Setting(ctx, civicmon.SettingAPICursorKey)
	if err != nil {
		return nil, err
	}
	if v == "" {
		b := make([]byte, 32)
		rand.Read(b)
		if err := k.store.SetSetting(ctx, civicmon.SettingAPICursorKey, base64.RawURLEncoding.EncodeToString(b)); err != nil {
			return nil, err
		}
		// Read back what is kept, should another process have written
		// its key meanwhile.
		if v, err = k.store.Setting(ctx, civicmon.SettingAPICursorKey); err != nil {
			return nil, err
		}
	}
	key, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("setting %s is not 32 bytes in base64url: delete it to have a new one made", civicmon.SettingAPICursorKey)
	}
	k.key = key
	return key, nil
}

// readCursor reads the cursor parameter of a list of the given kind and
// turns it into a keyset bound of the store. A cursor that is malformed,
// that this server did not sign, or whose update is gone gets one and the
// same 400 answer, whatever it names; ok is false when the request is
// answered. Without a cursor, it returns nil and true.
func (h *handler) readCursor(w http.ResponseWriter, r *http.Request, p *params, kind string) (*cursor, *civicmon.UpdateCursor, bool) {
	v := p.get("cursor")
	if v == "" {
		return nil, nil, true
	}
	key, err := h.cursorKey.get(r.Context())
	if err != nil {
		h.srv.APIFail(w, r, err)
		return nil, nil, false
	}
	c, ok := decodeCursor(key, kind, v)
	if !ok {
		h.badCursor(w, r)
		return nil, nil, false
	}
	ids, err := h.store.UpdateIDsByUID(r.Context(), []string{c.uid})
	if err != nil {
		h.srv.APIFail(w, r, err)
		return nil, nil, false
	}
	id, ok := ids[c.uid]
	if !ok {
		h.badCursor(w, r)
		return nil, nil, false
	}
	return c, &civicmon.UpdateCursor{PublishedOn: c.publishedOn, ID: id}, true
}

// badCursor is the one answer to every cursor the server cannot follow.
func (h *handler) badCursor(w http.ResponseWriter, r *http.Request) {
	h.srv.Problem(w, r, web.ProbBadRequest, "This cursor cannot be followed: it is not one this server gave for this list, or what it pointed at is gone. Start the list again without a cursor.",
		civicmon.FieldError{Field: "cursor", Message: "pass on the next_cursor of the page before, unchanged"})
}

// nextCursor signs the cursor of the next page.
func (h *handler) nextCursor(r *http.Request, c cursor) (string, error) {
	key, err := h.cursorKey.get(r.Context())
	if err != nil {
		return "", err
	}
	return c.encode(key), nil
}
