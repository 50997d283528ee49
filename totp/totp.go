// Package totp implements time-based one-time passwords (RFC 6238) as the
// authenticator apps use them: HMAC-SHA1, six digits, a 30-second step.
//
// Verify accepts the current step and one step either side, for clocks that
// drift and codes typed as they change. It does not remember which codes were
// used: a caller that must refuse a replayed code keeps the step VerifyStep
// returns and refuses any step at or below it.
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

const (
	// Digits is the length of a code.
	Digits = 6
	// Period is the time one code is valid for.
	Period = 30 * time.Second
	// Skew is how many steps before and after the current one Verify accepts.
	Skew = 1
	// SecretSize is the number of random bytes in a new secret (160 bits,
	// the HMAC-SHA1 block the RFC recommends).
	SecretSize = 20
)

var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a new random secret: 20 bytes, base32 without padding,
// as authenticator apps expect it.
func NewSecret() string {
	b := make([]byte, SecretSize)
	rand.Read(b) // never fails (crypto/rand panics rather than returning short)
	return encoding.EncodeToString(b)
}

// decodeSecret accepts a base32 secret in either case, with or without
// padding and spaces (as people copy it from an app's "enter key" screen).
func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '=' {
			return -1
		}
		return r
	}, secret))
	if s == "" {
		return nil, errors.New("totp: empty secret")
	}
	key, err := encoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("totp: secret is not base32: %w", err)
	}
	return key, nil
}

// Step returns the RFC 6238 time step of t: the number of whole 30-second
// periods since the Unix epoch.
func Step(t time.Time) int64 {
	// Floor division, so that instants before 1970 do not share step 0.
	sec := t.Unix()
	step := sec / int64(Period/time.Second)
	if sec < 0 && sec%int64(Period/time.Second) != 0 {
		step--
	}
	return step
}

// Code returns the code for secret at time t.
func Code(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	step := Step(t)
	if step < 0 {
		return "", fmt.Errorf("totp: time %s is before the Unix epoch", t.Format(time.RFC3339))
	}
	return hotp(key, uint64(step)), nil
}

// hotp is RFC 4226's HOTP with a six-digit result.
func hotp(key []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", Digits, bin%1_000_000)
}

// normalizeCode returns code without the spaces apps show in its middle
// ("123 456"), or ok=false when it is not six ASCII digits.
func normalizeCode(code string) (string, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != Digits {
		return "", false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return "", false
		}
	}
	return code, true
}

// Verify reports whether code is the code for secret at t, or at the step
// just before or after. A malformed code or secret is never valid.
func Verify(secret, code string, t time.Time) bool {
	_, ok := VerifyStep(secret, code, t)
	return ok
}

// VerifyStep is Verify that also returns the step the code belongs to, so
// that a caller can store it and refuse a code from that step, or an older
// one, next time (RFC 6238 §5.2).
func VerifyStep(secret, code string, t time.Time) (step int64, ok bool) {
	code, valid := normalizeCode(code)
	if !valid {
		return 0, false
	}
	key, err := decodeSecret(secret)
	if err != nil {
		return 0, false
	}
	now := Step(t)
	// Every candidate is computed and compared, so the time taken says
	// nothing about which step matched, or how much of a code did.
	match := int64(-1)
	for s := now - Skew; s <= now+Skew; s++ {
		if s < 0 {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(hotp(key, uint64(s))), []byte(code)) == 1 && match < 0 {
			match = s
		}
	}
	if match < 0 {
		return 0, false
	}
	return match, true
}

// URI returns the otpauth:// key URI that authenticator apps read from a QR
// code, with the issuer both in the label and as a parameter (as the Key
// Uri Format asks). An empty issuer is left out.
func URI(secret, issuer, account string) string {
	label := escape(account)
	q := "secret=" + escape(strings.ToUpper(strings.TrimRight(secret, "=")))
	if issuer != "" {
		label = escape(issuer) + ":" + label
		q += "&issuer=" + escape(issuer)
	}
	q += fmt.Sprintf("&algorithm=SHA1&digits=%d&period=%d", Digits, int(Period/time.Second))
	return "otpauth://totp/" + label + "?" + q
}

// escape percent-encodes s for a label or a parameter value: "/", "?", "&",
// "=", "#" and ":" (which separates the issuer from the account in the
// label) included, and spaces as %20, since some apps show a "+" literally.
func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
