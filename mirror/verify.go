package mirror

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Trust is the key a mirror must be signed with: the organisation's public
// key, or its fingerprint as the organisation publishes it. The key inside
// the manifest proves nothing by itself: whoever changed the files could
// have signed them with a key of their own.
type Trust struct {
	PublicKey   ed25519.PublicKey
	Fingerprint string
}

// Report is what Verify found. Every problem is listed, not just the first.
type Report struct {
	Generated   time.Time
	Fingerprint string // of the key in the manifest; "" when unsigned
	Files       int    // in the manifest
	// Signature is "valid", "invalid", "missing" (no MANIFEST.sig) or
	// "unsigned" (the manifest names no key).
	Signature string
	// Trusted: the manifest's key is the trusted one. False when no
	// trusted key was given.
	Trusted    bool
	TrustGiven bool
	Changed    []string // size or content differs
	Missing    []string // in the manifest, not in the directory
	Extra      []string // in the directory, not in the manifest
}

// OK reports whether the copy is genuine: signed by the trusted key, and
// every file as signed.
func (r *Report) OK() bool {
	return r.Signature == "valid" && r.Trusted && len(r.Changed)+len(r.Missing)+len(r.Extra) == 0
}

// FilesOK reports whether the files are those the manifest lists.
func (r *Report) FilesOK() bool { return len(r.Changed)+len(r.Missing)+len(r.Extra) == 0 }

// Verify checks the mirror in dir: the manifest's signature against the
// trusted key, then every file against the manifest. It returns an error
// only when it cannot check at all (no manifest, an unreadable one); what
// it finds wrong is in the report.
func Verify(dir string, trust Trust) (*Report, error) {
	mf, err := os.Open(filepath.Join(dir, ManifestName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s has no %s: it is not a civicmon mirror, or the manifest was removed — do not trust this copy", dir, ManifestName)
	}
	if err != nil {
		return nil, err
	}
	defer mf.Close()
	// The manifest is read once, as a stream: hashed for the signature
	// while its lines are compared with the directory.
	mh := sha256.New()
	mr, err := newManifestReader(io.TeeReader(mf, mh))
	if err != nil {
		return nil, fmt.Errorf("%s: %w — do not trust this copy", ManifestName, err)
	}
	rep := &Report{Generated: mr.Generated}
	// Merge the manifest's files, in walk order, with a walk of the
	// directory: memory stays the same for a million files.
	pending, more, err := mr.next()
	if err != nil {
		return nil, err
	}
	prev := ""
	advance := func() error {
		prev = pending.Path
		pending, more, err = mr.next()
		if err != nil {
			return err
		}
		if more && !walkLess(prev, pending.Path) {
			return fmt.Errorf("%s line %d: %s is out of order: the manifest was edited — do not trust this copy", ManifestName, mr.line, pending.Path)
		}
		return nil
	}
	seen := 0
	err = walkFiles(dir, func(rel string, d fs.DirEntry) error {
		if rel == ManifestName || rel == SignatureName {
			return nil
		}
		for more && walkLess(pending.Path, rel) {
			rep.Missing = append(rep.Missing, pending.Path)
			seen++
			if err := advance(); err != nil {
				return err
			}
		}
		if !more || pending.Path != rel {
			rep.Extra = append(rep.Extra, rel)
			return nil
		}
		seen++
		want := pending
		if err := advance(); err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			rep.Changed = append(rep.Changed, rel)
			return nil
		}
		size, sum, err := hashFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil || size != want.Size || sum != want.Sum {
			rep.Changed = append(rep.Changed, rel)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for more {
		rep.Missing = append(rep.Missing, pending.Path)
		seen++
		if err := advance(); err != nil {
			return nil, err
		}
	}
	if _, _, err := mr.next(); err != nil { // nothing after the end line
		return nil, fmt.Errorf("%s: %w — do not trust this copy", ManifestName, err)
	}
	if _, err := io.Copy(io.Discard, io.TeeReader(mf, mh)); err != nil { // what the scanner left unread
		return nil, err
	}
	if seen != mr.count {
		return nil, fmt.Errorf("%s says %d files and lists %d: the manifest was edited or cut — do not trust this copy", ManifestName, mr.count, seen)
	}
	rep.Files = seen
	switch {
	case mr.PublicKey == nil:
		rep.Signature = "unsigned"
	default:
		rep.Fingerprint = Fingerprint(mr.PublicKey)
		sb, err := os.ReadFile(filepath.Join(dir, SignatureName))
		switch {
		case errors.Is(err, os.ErrNotExist):
			rep.Signature = "missing"
		case err != nil:
			return nil, err
		default:
			sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(sb)))
			if err == nil && len(sig) == ed25519.SignatureSize && ed25519.Verify(mr.PublicKey, statement(mh.Sum(nil)), sig) {
				rep.Signature = "valid"
			} else {
				rep.Signature = "invalid"
			}
		}
	}
	if trust.PublicKey != nil || trust.Fingerprint != "" {
		rep.TrustGiven = true
		if mr.PublicKey != nil {
			if trust.PublicKey != nil {
				rep.Trusted = bytes.Equal(trust.PublicKey, mr.PublicKey)
			} else {
				rep.Trusted = NormalizeFingerprint(trust.Fingerprint) == rep.Fingerprint
			}
		}
	}
	return rep, nil
}
