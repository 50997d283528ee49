package workspace

import (
	"net/http"
	"sync"
	"time"

	"github.com/civicmon/civicmon/web"
)

// throttle limits failed sign-ins per account and per address, in memory:
// enough to make guessing passwords slow, and it keeps no address on disk.
type throttle struct {
	mu       sync.Mutex
	failures map[string][]time.Time
	limit    int
	window   time.Duration
}

func newThrottle(limit int, window time.Duration) *throttle {
	return &throttle{failures: map[string][]time.Time{}, limit: limit, window: window}
}

// blocked reports whether key has used up its failures, and until when.
func (t *throttle) blocked(key string, now time.Time) (bool, time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fs := t.recent(key, now)
	if len(fs) >= t.limit {
		return true, fs[0].Add(t.window)
	}
	return false, time.Time{}
}

// fail counts a failure against key.
func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures[key] = append(t.recent(key, now), now)
	if len(t.failures) > 100_000 { // bound memory under a flood of keys
		for k, fs := range t.failures {
			if len(fs) == 0 || now.Sub(fs[len(fs)-1]) > t.window {
				delete(t.failures, k)
			}
		}
	}
}

func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}

func (t *throttle) recent(key string, now time.Time) []time.Time {
	fs := t.failures[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) > t.window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.failures, key)
		return nil
	}
	t.failures[key] = fs
	return fs
}

// clientIP is the client's address: the connection's, or behind a trusted
// proxy (serve --trusted-proxies) the one the proxy forwards.
func clientIP(r *http.Request) string { return web.ClientAddr(r) }

// usedSteps remembers the last TOTP time step each account signed in with,
// so that a code seen over a shoulder cannot be replayed in its window.
type usedSteps struct {
	mu   sync.Mutex
	last map[int64]int64
}

func (u *usedSteps) claim(userID, step int64) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.last == nil {
		u.last = map[int64]int64{}
	}
	if step <= u.last[userID] {
		return false
	}
	u.last[userID] = step
	return true
}
