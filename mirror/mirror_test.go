package mirror_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"html"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/i18n"
	"github.com/civicmon/civicmon/mirror"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/storetest"
)

const baseURL = "https://monitor.example.org"

// clock is the export's fixed "now": two exports of the same data at the
// same time are the same bytes.
func clock() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

// demoDB is a new SQLite file with the demo data and an update in Kazakh
// with a Russian translation, for the searches in Cyrillic.
func demoDB(t testing.TB) *sqldb.DB {
	t.Helper()
	db := storetest.SQLite.Open(t)
	ctx := context.Background()
	if _, err := demo.Load(ctx, db.Store()); err != nil {
		t.Fatalf("demo.Load: %v", err)
	}
	u := civicmon.Update{CountryCode: "KZ", Title: "Қазақстан: бейбіт жиналыс бостандығы", Slug: "qazaqstan-beibit-zhinalys",
		Summary: "Алматыдағы митинг туралы қысқаша шолу.", Body: "Қазақстан Республикасында бейбіт жиналыстарға шектеу.",
		Language: "kk", Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2025-05-04"),
		Freedoms: civicmon.NewFreedomSet(civicmon.Assembly), Violations: []string{"protest-disruption"},
		Translations: []civicmon.Translation{{Language: "ru", Title: "Казахстан: свобода мирных собраний", Summary: "Обзор митинга в Алматы.", Body: "Ограничения собраний."}}}
	if err := db.Store().CreateUpdate(ctx, &u); err != nil {
		t.Fatal(err)
	}
	return db
}

func newKey(t testing.TB) ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func export(t testing.TB, st civicmon.Store, dir string, o mirror.Options) *mirror.Result {
	t.Helper()
	if o.BaseURL == "" {
		o.BaseURL = baseURL
	}
	if o.Now == nil {
		o.Now = clock
	}
	if o.Langs == nil { // one language is enough, and four times as fast
		o.Langs = []i18n.Lang{i18n.English}
	}
	res, err := mirror.Export(context.Background(), st, dir, o)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	return res
}

// files returns every file of a mirror, relative, with slashes.
func files(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

var attr = regexp.MustCompile(` (href|src|action|srcset|data-base)="([^"]*)"`)

// TestEveryLinkResolves crawls the mirror from index.html, following every
// local link of every page, and fails on a link that resolves to no file,
// that needs a server (a query string, a root-relative path, a directory),
// or that leaves for the site itself. Every page must be reachable.
func TestEveryLinkResolves(t *testing.T) {
	db := demoDB(t)
	dir := filepath.Join(t.TempDir(), "mirror")
	res := export(t, db.Store(), dir, mirror.Options{Key: newKey(t), Langs: i18n.Supported})
	all := files(t, dir)
	if res.Files != len(all)-2 { // MANIFEST and MANIFEST.sig are not in it
		t.Errorf("result says %d files, the directory has %d", res.Files, len(all))
	}
	t.Logf("%d files, %d bytes", res.Files, res.Bytes)
	exists := map[string]bool{}
	for _, f := range all {
		exists[f] = true
	}
	for _, want := range []string{"index.html", "countries.html", "countries/kazakhstan.html",
		"updates.html", "ru/updates.html", "updates/qazaqstan-beibit-zhinalys.html",
		"updates/qazaqstan-beibit-zhinalys/ru.html", "fr/updates/qazaqstan-beibit-zhinalys/ru.html",
		"updates/qazaqstan-beibit-zhinalys.bib", "updates/qazaqstan-beibit-zhinalys.csl.json",
		"feed.atom", "feed.json", "countries/kazakhstan/feed.atom", "es/countries/kazakhstan/feed.json",
		"regions/europe-central-asia.html", "freedoms/expression.html", "tags/censorship.html",
		"countries/rating-closed.html", "watchlist.html", "embed/map.html",
		"data/civicmon.json", "data/updates.csv", "data/country-KZ/updates.csv", "sitemap.xml", "robots.txt",
		"search-index/meta.js", "search-index/docs/0.js", "MANIFEST", "MANIFEST.sig"} {
		if !exists[want] {
			t.Errorf("the mirror has no %s", want)
		}
	}

	reached := map[string]bool{"index.html": true}
	queue := []string{"index.html"}
	for len(queue) > 0 {
		page := queue[0]
		queue = queue[1:]
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range attr.FindAllSubmatch(b, -1) {
			ref := html.UnescapeString(string(m[2]))
			if m[1][0] == 's' && string(m[1]) == "srcset" {
				ref = strings.Fields(ref)[0]
			}
			u, err := url.Parse(ref)
			if err != nil {
				t.Errorf("%s: bad link %q", page, ref)
				continue
			}
			switch {
			case u.Scheme == "data" || u.Scheme == "mailto":
				continue
			case u.Scheme != "" || u.Host != "":
				if strings.HasPrefix(ref, baseURL) {
					t.Errorf("%s links to the site itself, not the mirror: %s", page, ref)
				}
				continue
			case ref == "" || strings.HasPrefix(ref, "#"):
				continue
			case strings.HasPrefix(u.Path, "/"):
				t.Errorf("%s: root-relative link %q does not work from file://", page, ref)
				continue
			case u.RawQuery != "":
				t.Errorf("%s: link %q has a query string, which a static host ignores", page, ref)
				continue
			}
			target := path.Join(path.Dir(page), u.Path)
			if strings.HasPrefix(target, "../") || !exists[target] {
				t.Errorf("%s: link %q resolves to %s, which is not a file of the mirror", page, ref, target)
				continue
			}
			if strings.HasSuffix(target, ".html") && !reached[target] {
				reached[target] = true
				queue = append(queue, target)
			}
		}
	}
	// Pages no page links to, on the site too: the map for other sites
	// to frame, and the lists of violation tags no update has yet.
	unlinked := regexp.MustCompile(`^([a-z][a-z]/)?(embed/map|tags/[a-z-]+)\.html$`)
	var orphans []string
	for _, f := range all {
		if strings.HasSuffix(f, ".html") && !reached[f] && !unlinked.MatchString(f) {
			orphans = append(orphans, f)
		}
	}
	if len(orphans) > 0 {
		t.Errorf("%d pages no link reaches: %v", len(orphans), orphans)
	}
	if len(reached) < 500 {
		t.Errorf("the crawl reached only %d pages", len(reached))
	}
	t.Logf("crawled %d pages", len(reached))

	// Feeds keep absolute links to the site.
	atom, _ := os.ReadFile(filepath.Join(dir, "countries/kazakhstan/feed.atom"))
	if !bytes.Contains(atom, []byte(baseURL+"/updates/")) {
		t.Errorf("the Kazakhstan feed has no absolute link to an update: %.300s", atom)
	}
	// The pages carry their content security policy; only the search page
	// may run a script, its own.
	for _, f := range []string{"index.html", "updates.html"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if !bytes.Contains(b, []byte(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`)) {
			t.Errorf("%s has no content security policy", f)
		}
		if bytes.Contains(b, []byte("<script")) != (f == "updates.html") {
			t.Errorf("%s: <script> where it should not be, or not where it should", f)
		}
	}
	search, _ := os.ReadFile(filepath.Join(dir, "updates.html"))
	for _, s := range []string{`src="static/search.`, "js-needed", `href="countries.html"`} {
		if !bytes.Contains(search, []byte(s)) {
			t.Errorf("the search page lacks %q", s)
		}
	}
	// The country filters need a server: their form is gone.
	countries, _ := os.ReadFile(filepath.Join(dir, "countries.html"))
	if bytes.Count(countries, []byte("<form")) != 1 || !bytes.Contains(countries, []byte(`<form class="site-search"`)) {
		t.Error("the country list keeps its filter form, which needs a server")
	}
}

// TestDeterministic: the same data exported at the same time gives the
// same files, byte for byte, and so the same manifest.
func TestDeterministic(t *testing.T) {
	db := demoDB(t)
	key := newKey(t)
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	export(t, db.Store(), a, mirror.Options{Key: key, Workers: 1})
	export(t, db.Store(), b, mirror.Options{Key: key, Workers: 3})
	ma, _ := os.ReadFile(filepath.Join(a, "MANIFEST"))
	mb, _ := os.ReadFile(filepath.Join(b, "MANIFEST"))
	if !bytes.Equal(ma, mb) {
		t.Fatal("two exports of the same data differ")
	}
	lines := strings.Split(strings.TrimSpace(string(ma)), "\n")
	if !strings.HasPrefix(lines[0], "civicmon-mirror 1") || lines[1] != "generated 2026-03-01T12:00:00Z" {
		t.Errorf("manifest header: %q", lines[:4])
	}
}

// TestVerifyNamesEveryProblem changes, removes and adds files and checks
// that verification names every one of them; and that it refuses a
// manifest signed by another key, or changed after signing.
func TestVerifyNamesEveryProblem(t *testing.T) {
	db := demoDB(t)
	key := newKey(t)
	pub := key.Public().(ed25519.PublicKey)
	dir := filepath.Join(t.TempDir(), "mirror")
	export(t, db.Store(), dir, mirror.Options{Key: key})
	trusted := mirror.Trust{PublicKey: pub}

	rep, err := mirror.Verify(dir, trusted)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Signature != "valid" || !rep.Trusted || rep.Files < 1000 {
		t.Fatalf("a fresh mirror does not verify: %+v", rep)
	}
	if rep, _ := mirror.Verify(dir, mirror.Trust{Fingerprint: mirror.Fingerprint(pub)}); !rep.OK() {
		t.Errorf("trust by fingerprint fails: %+v", rep)
	}
	if rep, _ := mirror.Verify(dir, mirror.Trust{}); rep.OK() || !rep.FilesOK() || rep.Signature != "valid" {
		t.Errorf("without a trusted key, a mirror must not count as verified (the key in the manifest proves nothing): %+v", rep)
	}
	other := newKey(t).Public().(ed25519.PublicKey)
	if rep, _ := mirror.Verify(dir, mirror.Trust{PublicKey: other}); rep.OK() || rep.Trusted {
		t.Errorf("a mirror signed by another key verifies: %+v", rep)
	}

	write := func(rel, s string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Changed: one byte of a page, a data file of the same size, a feed.
	page := filepath.Join(dir, "countries/kazakhstan.html")
	b, _ := os.ReadFile(page)
	os.WriteFile(page, bytes.Replace(b, []byte("Kazakhstan"), []byte("Kazakhstam"), 1), 0o644)
	csv := filepath.Join(dir, "data/updates.csv")
	b, _ = os.ReadFile(csv)
	b[len(b)-2] ^= 1
	os.WriteFile(csv, b, 0o644)
	write("feed.atom", "<feed/>")
	// Missing: a page and the search index's metadata.
	os.Remove(filepath.Join(dir, "methodology.html"))
	os.Remove(filepath.Join(dir, "search-index/meta.js"))
	// Extra: a script beside the pages, and a file in a new directory.
	write("static/evil.js", "alert(1)")
	write("zz/new/page.html", "<p>hi")
	write("0.html", "<p>first")

	rep, err = mirror.Verify(dir, trusted)
	if err != nil {
		t.Fatal(err)
	}
	want := func(kind string, got, want []string) {
		t.Helper()
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", kind, got, want)
		}
	}
	want("changed", rep.Changed, []string{"countries/kazakhstan.html", "data/updates.csv", "feed.atom"})
	want("missing", rep.Missing, []string{"methodology.html", "search-index/meta.js"})
	want("extra", rep.Extra, []string{"0.html", "static/evil.js", "zz/new/page.html"})
	if rep.OK() || rep.Signature != "valid" {
		t.Errorf("report: %+v", rep)
	}

	// A manifest edited to match the changed files no longer matches its
	// signature.
	mpath := filepath.Join(dir, "MANIFEST")
	m, _ := os.ReadFile(mpath)
	os.WriteFile(mpath, bytes.Replace(m, []byte(" feed.atom\n"), []byte(" feed.atom \n"), 1), 0o644)
	if rep, _ := mirror.Verify(dir, trusted); rep.Signature != "invalid" || rep.OK() {
		t.Errorf("an edited manifest: signature %q", rep.Signature)
	}
	os.WriteFile(mpath, m, 0o644)
	os.Remove(filepath.Join(dir, "MANIFEST.sig"))
	if rep, _ := mirror.Verify(dir, trusted); rep.Signature != "missing" || rep.OK() {
		t.Errorf("no signature: %q", rep.Signature)
	}
	os.Remove(mpath)
	if _, err := mirror.Verify(dir, trusted); err == nil || !strings.Contains(err.Error(), "no MANIFEST") {
		t.Errorf("no manifest: %v", err)
	}
}

// TestFailedExportLeavesDirAsItWas cancels an export half way: the earlier
// mirror in the directory is untouched, and nothing is left beside it.
func TestFailedExportLeavesDirAsItWas(t *testing.T) {
	db := demoDB(t)
	key := newKey(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "mirror")
	export(t, db.Store(), dir, mirror.Options{Key: key})
	before, _ := os.ReadFile(filepath.Join(dir, "MANIFEST"))

	// New data, then an export that is cancelled after 300 files.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u := civicmon.Update{CountryCode: "FR", Title: "A new update", Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2026-02-01"),
		Freedoms: civicmon.NewFreedomSet(civicmon.Expression)}
	if err := db.Store().CreateUpdate(ctx, &u); err != nil {
		t.Fatal(err)
	}
	_, err := mirror.Export(ctx, db.Store(), dir, mirror.Options{BaseURL: baseURL, Key: key, Now: clock, Langs: []i18n.Lang{i18n.English},
		Progress: func(done, _ int) {
			if done == 300 {
				cancel()
			}
		}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled export: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "MANIFEST"))
	if !bytes.Equal(before, after) {
		t.Error("the failed export changed the mirror's manifest")
	}
	if rep, err := mirror.Verify(dir, mirror.Trust{PublicKey: key.Public().(ed25519.PublicKey)}); err != nil || !rep.OK() {
		t.Errorf("the earlier mirror no longer verifies: %v %+v", err, rep)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the failed export left files beside the mirror: %v", names)
	}

	// A finished export replaces the earlier mirror, and leaves nothing
	// beside it.
	export(t, db.Store(), dir, mirror.Options{Key: key})
	if after, _ := os.ReadFile(filepath.Join(dir, "MANIFEST")); bytes.Equal(before, after) {
		t.Error("a new export with new data did not replace the mirror")
	}
	if _, err := os.Stat(filepath.Join(dir, "updates", u.Slug+".html")); err != nil {
		t.Errorf("the new update is not in the new mirror: %v", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("the export left %d entries beside the mirror", len(entries)-1)
	}

	// A directory that holds something else is refused, and kept.
	other := filepath.Join(parent, "documents")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "thesis.txt"), []byte("years of work"), 0o644)
	_, err = mirror.Export(context.Background(), db.Store(), other, mirror.Options{BaseURL: baseURL, Unsigned: true})
	if err == nil || !strings.Contains(err.Error(), "holds no mirror") {
		t.Errorf("export over a directory of other files: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(other, "thesis.txt")); string(b) != "years of work" {
		t.Error("the export touched a directory that was not a mirror")
	}
	// No key and not --unsigned: refused.
	if _, err := mirror.Export(context.Background(), db.Store(), filepath.Join(parent, "x"), mirror.Options{BaseURL: baseURL}); !errors.Is(err, mirror.ErrNoKey) {
		t.Errorf("export without a key: %v", err)
	}
}

// TestUnsignedMirror: an unsigned mirror has a manifest, and never counts
// as verified.
func TestUnsignedMirror(t *testing.T) {
	db := demoDB(t)
	dir := filepath.Join(t.TempDir(), "mirror")
	export(t, db.Store(), dir, mirror.Options{Unsigned: true})
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.sig")); !errors.Is(err, os.ErrNotExist) {
		t.Error("an unsigned mirror has a signature file")
	}
	rep, err := mirror.Verify(dir, mirror.Trust{PublicKey: newKey(t).Public().(ed25519.PublicKey)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Signature != "unsigned" || rep.OK() || !rep.FilesOK() {
		t.Errorf("unsigned mirror: %+v", rep)
	}
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mirror.key")
	pub, err := mirror.GenerateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("private key mode: %v %v", fi.Mode(), err)
	}
	priv, err := mirror.ReadPrivateKey(path)
	if err != nil || !bytes.Equal(priv.Public().(ed25519.PublicKey), pub) {
		t.Fatalf("read private key: %v", err)
	}
	got, err := mirror.ReadPublicKey(path + ".pub")
	if err != nil || !bytes.Equal(got, pub) {
		t.Fatalf("read public key: %v", err)
	}
	if _, err := mirror.GenerateKey(path); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("keygen over an existing key: %v", err)
	}
	if b, _ := os.ReadFile(path); !bytes.Contains(b, []byte("BEGIN PRIVATE KEY")) {
		t.Error("the key was overwritten")
	}
	os.Chmod(path, 0o644)
	if _, err := mirror.ReadPrivateKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a key others can read: %v", err)
	}
	if _, err := mirror.ReadPrivateKey(path + ".pub"); err == nil || !strings.Contains(err.Error(), "public key") {
		t.Errorf("a public key given to sign: %v", err)
	}
	fp := mirror.Fingerprint(pub)
	if !strings.HasPrefix(fp, "SHA256:") || len(fp) != 7+43 || mirror.NormalizeFingerprint(strings.TrimPrefix(fp, "SHA256:")+"=") != fp {
		t.Errorf("fingerprint %q", fp)
	}
}
