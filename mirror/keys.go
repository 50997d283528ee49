package mirror

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/civicmon/civicmon"
)

// Keys are Ed25519 keys in the PEM files OpenSSL reads: the private key as
// PKCS #8 ("PRIVATE KEY"), the public key as SubjectPublicKeyInfo
// ("PUBLIC KEY"), so that a reader without civicmon can check a mirror
// with openssl (docs/operations.md).

// Fingerprint names a public key: "SHA256:" and the SHA-256 of its 32
// bytes in unpadded base64 — short enough to read out over the phone.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// GenerateKey writes a new signing key to path (readable by its owner
// only) and its public key to path.pub. It overwrites neither.
func GenerateKey(path string) (ed25519.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	for _, p := range []string{path, path + ".pub"} {
		if _, err := os.Lstat(p); err == nil {
			return nil, civicmon.Errorf(civicmon.ECONFLICT, "%s exists: keygen overwrites no key (a lost signing key cannot be recovered); choose another --out or move the file away", p)
		}
	}
	if err := writeNew(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	if err := writeNew(path+".pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		os.Remove(path)
		return nil, err
	}
	return pub, nil
}

// writeNew creates a file that must not exist yet.
func writeNew(path string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return civicmon.Errorf(civicmon.ECONFLICT, "%s exists: keygen overwrites no key; choose another --out", path)
		}
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// ReadPrivateKey reads a key written by GenerateKey (or `openssl genpkey
// -algorithm ed25519`).
func ReadPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		if blk != nil && blk.Type == "PUBLIC KEY" {
			return nil, civicmon.Errorf(civicmon.EINVALID, "%s is a public key: signing needs the private key (the file without .pub)", path)
		}
		return nil, civicmon.Errorf(civicmon.EINVALID, "%s is not a PEM private key (make one with `civicmon keygen`)", path)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, civicmon.Errorf(civicmon.EINVALID, "signing key %s can be read by others (mode %o): run chmod 600 %s, and consider the key exposed if others could reach it", path, fi.Mode().Perm(), path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, civicmon.Errorf(civicmon.EINVALID, "%s: %v", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, civicmon.Errorf(civicmon.EINVALID, "%s is not an Ed25519 key", path)
	}
	return priv, nil
}

// ReadPublicKey reads a public key file (KEY.pub of GenerateKey).
func ReadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, civicmon.Errorf(civicmon.EINVALID, "%s is not a PEM public key (the .pub file that `civicmon keygen` wrote)", path)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, civicmon.Errorf(civicmon.EINVALID, "%s: %v", path, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, civicmon.Errorf(civicmon.EINVALID, "%s is not an Ed25519 public key", path)
	}
	return pub, nil
}

// NormalizeFingerprint accepts a fingerprint as printed, with or without
// its "SHA256:" prefix or base64 padding.
func NormalizeFingerprint(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "SHA256:")
	s = strings.TrimRight(s, "=")
	return "SHA256:" + s
}
