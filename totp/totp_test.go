package totp

import (
	"encoding/base32"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcSecret is the SHA1 key of RFC 6238 appendix B, "12345678901234567890".
var rfcSecret = base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))

// The appendix's SHA1 vectors. The RFC prints eight digits; a six-digit code
// is the same value modulo 10^6, its last six digits.
var rfcVectors = []struct {
	unix int64
	code string // eight digits, as printed in the RFC
}{
	{59, "94287082"},
	{1111111109, "07081804"},
	{1111111111, "14050471"},
	{1234567890, "89005924"},
	{2000000000, "69279037"},
	{20000000000, "65353130"},
}

func TestRFC6238Vectors(t *testing.T) {
	if rfcSecret != "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" {
		t.Fatalf("secret = %s", rfcSecret)
	}
	for _, v := range rfcVectors {
		at := time.Unix(v.unix, 0).UTC()
		want := v.code[2:]
		got, err := Code(rfcSecret, at)
		if err != nil || got != want {
			t.Errorf("Code(%s) = %q, %v; want %q", at.Format(time.RFC3339), got, err, want)
		}
		if !Verify(rfcSecret, want, at) {
			t.Errorf("Verify(%q at %s) = false", want, at.Format(time.RFC3339))
		}
		// The padded, lower-case and unpadded spellings are one secret.
		for _, s := range []string{strings.ToLower(rfcSecret), strings.TrimRight(rfcSecret, "=")} {
			if got, _ := Code(s, at); got != want {
				t.Errorf("Code with secret %q = %q, want %q", s, got, want)
			}
		}
	}
}

func TestStep(t *testing.T) {
	for _, c := range []struct {
		unix int64
		step int64
	}{{0, 0}, {29, 0}, {30, 1}, {59, 1}, {1111111109, 37037036}, {1111111111, 37037037}, {-1, -1}, {-30, -1}, {-31, -2}} {
		if got := Step(time.Unix(c.unix, 0)); got != c.step {
			t.Errorf("Step(%d) = %d, want %d", c.unix, got, c.step)
		}
	}
}

func TestWindow(t *testing.T) {
	secret := NewSecret()
	now := time.Unix(1_700_000_015, 0) // mid-step
	step := Step(now)
	at := func(steps int64) time.Time { return now.Add(time.Duration(steps) * Period) }
	for _, c := range []struct {
		name  string
		delta int64
		ok    bool
	}{
		{"current step", 0, true},
		{"previous step", -1, true},
		{"next step", 1, true},
		{"two steps old", -2, false},
		{"two steps ahead", 2, false},
		{"an hour old", -120, false},
	} {
		code, err := Code(secret, at(c.delta))
		if err != nil {
			t.Fatal(err)
		}
		gotStep, ok := VerifyStep(secret, code, now)
		if ok != c.ok {
			t.Errorf("%s: VerifyStep ok = %v, want %v", c.name, ok, c.ok)
			continue
		}
		if ok && gotStep != step+c.delta {
			t.Errorf("%s: step = %d, want %d", c.name, gotStep, step+c.delta)
		}
		if Verify(secret, code, now) != c.ok {
			t.Errorf("%s: Verify disagrees with VerifyStep", c.name)
		}
	}
	// Edges of the current step: the first and last second both accept
	// the code of that step.
	code, _ := Code(secret, now)
	start := time.Unix(step*30, 0)
	for _, tm := range []time.Time{start, start.Add(29*time.Second + 999*time.Millisecond)} {
		if s, ok := VerifyStep(secret, code, tm); !ok || s != step {
			t.Errorf("VerifyStep at %s = %d, %v; want %d", tm, s, ok, step)
		}
	}
}

// A caller that stores the last step used refuses the same code again,
// which is what Step/VerifyStep are for.
func TestReplayRefusalByCaller(t *testing.T) {
	secret := NewSecret()
	now := time.Unix(1_800_000_000, 0)
	code, _ := Code(secret, now)
	var lastUsed int64 = -1
	use := func(code string, at time.Time) bool {
		s, ok := VerifyStep(secret, code, at)
		if !ok || s <= lastUsed {
			return false
		}
		lastUsed = s
		return true
	}
	if !use(code, now) {
		t.Fatal("first use refused")
	}
	if use(code, now.Add(10*time.Second)) {
		t.Fatal("same code accepted twice")
	}
	prev, _ := Code(secret, now.Add(-Period))
	if use(prev, now) {
		t.Fatal("an older step accepted after a newer one was used")
	}
	next, _ := Code(secret, now.Add(Period))
	if !use(next, now.Add(Period)) {
		t.Fatal("next step refused")
	}
}

func TestMalformed(t *testing.T) {
	at := time.Unix(59, 0)
	good := "287082"
	if !Verify(rfcSecret, good, at) || !Verify(rfcSecret, " 287 082 ", at) {
		t.Fatal("the RFC code is refused")
	}
	for _, code := range []string{"", "28708", "2870820", "94287082", "28708a", "２８７０８２", "287-082", "+87082", "-87082", "28708\x00", "287082\n1"} {
		if Verify(rfcSecret, code, at) {
			t.Errorf("Verify accepted malformed code %q", code)
		}
	}
	for _, secret := range []string{"", "not base32!", "GEZDGNBVGY3TQOJQ1"} {
		if Verify(secret, good, at) {
			t.Errorf("Verify accepted secret %q", secret)
		}
		if _, err := Code(secret, at); err == nil {
			t.Errorf("Code accepted secret %q", secret)
		}
	}
	if _, err := Code(rfcSecret, time.Unix(-100, 0)); err == nil {
		t.Error("Code accepted a time before 1970")
	}
	if Verify(rfcSecret, good, time.Unix(-100, 0)) {
		t.Error("Verify accepted a time before 1970")
	}
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b {
		t.Fatal("two secrets are equal")
	}
	if len(a) != 32 || strings.Contains(a, "=") {
		t.Fatalf("secret %q: want 32 base32 characters without padding", a)
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(a)
	if err != nil || len(key) != 20 {
		t.Fatalf("secret decodes to %d bytes, %v", len(key), err)
	}
	code, err := Code(a, time.Now())
	if err != nil || !Verify(a, code, time.Now()) {
		t.Fatalf("a new secret does not round-trip: %q, %v", code, err)
	}
}

func TestURI(t *testing.T) {
	got := URI("JBSWY3DPEHPK3PXP", "Civic Monitor", "ana+ops@example.org")
	want := "otpauth://totp/Civic%20Monitor:ana%2Bops%40example.org?secret=JBSWY3DPEHPK3PXP&issuer=Civic%20Monitor&algorithm=SHA1&digits=6&period=30"
	if got != want {
		t.Fatalf("URI =\n%s\nwant\n%s", got, want)
	}
	// Characters that would break the URI or the label are escaped, and a
	// URL parser gets every part back.
	issuer, account := "A&B: ü/?#=", "x:y z"
	u, err := url.Parse(URI("JBSWY3DPEHPK3PXP", issuer, account))
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "otpauth" || u.Host != "totp" {
		t.Fatalf("scheme/host = %s/%s", u.Scheme, u.Host)
	}
	label := strings.TrimPrefix(u.EscapedPath(), "/")
	parts := strings.Split(label, ":")
	if len(parts) != 2 {
		t.Fatalf("label %q does not split into issuer:account", label)
	}
	gi, _ := url.PathUnescape(parts[0])
	ga, _ := url.PathUnescape(parts[1])
	if gi != issuer || ga != account {
		t.Fatalf("label decodes to %q:%q", gi, ga)
	}
	if q := u.Query(); q.Get("issuer") != issuer || q.Get("secret") != "JBSWY3DPEHPK3PXP" || q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Fatalf("query = %v", q)
	}
	if got := URI("JBSWY3DPEHPK3PXP", "", "ana@example.org"); got != "otpauth://totp/ana%40example.org?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30" {
		t.Fatalf("URI without issuer = %s", got)
	}
}
