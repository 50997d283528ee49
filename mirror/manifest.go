package mirror

import (
	"bufio"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The manifest (docs/data.md describes it) lists every file of the mirror
// but itself and its signature:
//
//	civicmon-mirror 1
//	generated 2026-03-01T12:00:00Z
//	key ed25519 <public key, base64> SHA256:<fingerprint>
//	<sha256, hex> <size> <path>
//	…
//	end 1234
//
// The files are in walk order: the files of a directory by name, each
// directory's files where its name sorts (a/b, a/c/d, a-b). MANIFEST.sig
// holds, in base64, the Ed25519 signature of the statement
// "civicmon-mirror 1 manifest-sha256 <hex of the MANIFEST's SHA-256>\n":
// a short message, so that signing and checking read the manifest — a
// gigabyte at a million updates — as a stream, never whole.
const (
	ManifestName  = "MANIFEST"
	SignatureName = "MANIFEST.sig"
	manifestMagic = "civicmon-mirror 1"
)

// statement is what MANIFEST.sig signs: the manifest's SHA-256.
func statement(sum []byte) []byte {
	return []byte(manifestMagic + " manifest-sha256 " + hex.EncodeToString(sum) + "\n")
}

// Manifest is a parsed MANIFEST's header.
type Manifest struct {
	Generated time.Time
	PublicKey ed25519.PublicKey // nil when unsigned
	Files     int               // how many files it lists
	Bytes     int64             // their size
}

// FileEntry is one file of the manifest.
type FileEntry struct {
	Path string
	Size int64
	Sum  [32]byte
}

// hashCache keeps the hashes of the files written, up to a bound; the
// manifest hashes again the files it does not hold.
type hashCache struct {
	mu sync.Mutex
	m  map[string]hashEntry
}

type hashEntry struct {
	size int64
	sum  [32]byte
}

const hashCacheMax = 300000

func newHashCache() *hashCache { return &hashCache{m: map[string]hashEntry{}} }

func (c *hashCache) put(name string, size int64, sum [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) < hashCacheMax {
		c.m[name] = hashEntry{size, sum}
	}
}

func (c *hashCache) take(name string) (hashEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[name]
	delete(c.m, name)
	return e, ok
}

// writeManifest lists every file under dir into MANIFEST and signs it.
// seen, if not nil, is told of every file.
func writeManifest(dir string, hashes *hashCache, key ed25519.PrivateKey, now time.Time, seen func(rel string)) (*Manifest, error) {
	m := &Manifest{Generated: now.UTC().Truncate(time.Second)}
	if key != nil {
		m.PublicKey = key.Public().(ed25519.PublicKey)
	}
	f, err := os.OpenFile(filepath.Join(dir, ManifestName), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, h), 256<<10)
	m.writeHeader(w)
	line := make([]byte, 0, 256)
	err = walkFiles(dir, func(rel string, d fs.DirEntry) error {
		if rel == ManifestName || rel == SignatureName {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", rel)
		}
		if seen != nil {
			seen(rel)
		}
		e, ok := hashes.take(rel)
		if !ok {
			var err error
			if e.size, e.sum, err = hashFile(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
				return err
			}
		}
		line = hex.AppendEncode(line[:0], e.sum[:])
		line = append(line, ' ')
		line = strconv.AppendInt(line, e.size, 10)
		line = append(line, ' ')
		line = append(line, rel...)
		line = append(line, '\n')
		m.Files++
		m.Bytes += e.size
		_, err := w.Write(line)
		return err
	})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "end %d\n", m.Files)
	if err := w.Flush(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if key != nil {
		sig := ed25519.Sign(key, statement(h.Sum(nil)))
		if err := os.WriteFile(filepath.Join(dir, SignatureName), []byte(base64.StdEncoding.EncodeToString(sig)+"\n"), 0o644); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Manifest) writeHeader(w io.Writer) {
	fmt.Fprintf(w, "%s\ngenerated %s\n", manifestMagic, m.Generated.Format(time.RFC3339))
	if m.PublicKey != nil {
		fmt.Fprintf(w, "key ed25519 %s %s\n", base64.StdEncoding.EncodeToString(m.PublicKey), Fingerprint(m.PublicKey))
	} else {
		fmt.Fprintf(w, "key none\n")
	}
}

// walkFiles calls fn with every file under dir (its path relative to dir,
// with slashes) in walk order.
func walkFiles(dir string, fn func(rel string, d fs.DirEntry) error) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		return fn(filepath.ToSlash(rel), d)
	})
}

// walkLess reports whether path a comes before path b in walk order.
func walkLess(a, b string) bool {
	for {
		ai, bi := strings.IndexByte(a, '/'), strings.IndexByte(b, '/')
		as, bs := a, b
		if ai >= 0 {
			as = a[:ai]
		}
		if bi >= 0 {
			bs = b[:bi]
		}
		if as != bs {
			return as < bs
		}
		if ai < 0 || bi < 0 {
			return ai < 0 && bi >= 0 // equal so far: a file before… (never equal paths here)
		}
		a, b = a[ai+1:], b[bi+1:]
	}
}

func hashFile(path string) (int64, [32]byte, error) {
	var out [32]byte
	f, err := os.Open(path)
	if err != nil {
		return 0, out, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, out, err
	}
	copy(out[:], h.Sum(nil))
	return n, out, nil
}

// manifestReader reads a MANIFEST: its header, then its files one by one.
type manifestReader struct {
	sc   *bufio.Scanner
	line int
	Manifest
	count int  // from the end line
	ended bool // the end line was read
}

func newManifestReader(r io.Reader) (*manifestReader, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	mr := &manifestReader{sc: sc}
	next := func(prefix string) (string, error) {
		if !sc.Scan() {
			if err := sc.Err(); err != nil {
				return "", err
			}
			return "", fmt.Errorf("the manifest ends early, at line %d", mr.line)
		}
		mr.line++
		v, ok := strings.CutPrefix(sc.Text(), prefix)
		if !ok {
			return "", fmt.Errorf("manifest line %d: want %q, found %q", mr.line, prefix, sc.Text())
		}
		return v, nil
	}
	if _, err := next(manifestMagic); err != nil {
		return nil, fmt.Errorf("not a civicmon mirror manifest, or one of a newer version: %w", err)
	}
	g, err := next("generated ")
	if err != nil {
		return nil, err
	}
	if mr.Generated, err = time.Parse(time.RFC3339, g); err != nil {
		return nil, fmt.Errorf("manifest line %d: %w", mr.line, err)
	}
	k, err := next("key ")
	if err != nil {
		return nil, err
	}
	if k != "none" {
		f := strings.Fields(k)
		if len(f) != 3 || f[0] != "ed25519" {
			return nil, fmt.Errorf("manifest line %d: a key must be \"ed25519 KEY FINGERPRINT\"", mr.line)
		}
		pub, err := base64.StdEncoding.DecodeString(f[1])
		if err != nil || len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("manifest line %d: the public key is not an Ed25519 key in base64", mr.line)
		}
		mr.PublicKey = pub
	}
	return mr, nil
}

// next returns the next file, or ok false at the end.
func (mr *manifestReader) next() (f FileEntry, ok bool, err error) {
	if mr.ended {
		if mr.sc.Scan() {
			return f, false, fmt.Errorf("manifest line %d: lines after the end line", mr.line+1)
		}
		return f, false, mr.sc.Err()
	}
	if !mr.sc.Scan() {
		if err := mr.sc.Err(); err != nil {
			return f, false, err
		}
		return f, false, fmt.Errorf("the manifest has no end line: it was cut short")
	}
	mr.line++
	if n, ok := strings.CutPrefix(mr.sc.Text(), "end "); ok {
		var err error
		if mr.count, err = strconv.Atoi(n); err != nil || mr.count < 0 {
			return f, false, fmt.Errorf("manifest line %d: %q is not a count of files", mr.line, n)
		}
		mr.ended = true
		return f, false, nil
	}
	parts := strings.SplitN(mr.sc.Text(), " ", 3)
	if len(parts) != 3 {
		return f, false, fmt.Errorf("manifest line %d: want \"SHA256 SIZE PATH\"", mr.line)
	}
	sum, err := hex.DecodeString(parts[0])
	if err != nil || len(sum) != 32 {
		return f, false, fmt.Errorf("manifest line %d: %q is not a SHA-256 in hex", mr.line, parts[0])
	}
	copy(f.Sum[:], sum)
	if f.Size, err = strconv.ParseInt(parts[1], 10, 64); err != nil || f.Size < 0 {
		return f, false, fmt.Errorf("manifest line %d: %q is not a size", mr.line, parts[1])
	}
	f.Path = parts[2]
	if f.Path == "" || strings.HasPrefix(f.Path, "/") || strings.Contains(f.Path, "\\") ||
		strings.Contains("/"+f.Path+"/", "/../") || strings.Contains("/"+f.Path+"/", "/./") || strings.Contains(f.Path, "//") {
		return f, false, fmt.Errorf("manifest line %d: %q is not a path inside the mirror", mr.line, f.Path)
	}
	return f, true, nil
}
