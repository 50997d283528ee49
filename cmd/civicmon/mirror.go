package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/civicmon/civicmon/i18n"
	"github.com/civicmon/civicmon/mirror"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func cmdExportSite(e *env, args []string) error {
	fs := newFlags(e, "export site", "export site [--db DB] [--key FILE | --unsigned] [--base-url URL] [--langs en,fr,es,ru] DIR")
	db := dbFlag(fs)
	keyFile := fs.String("key", os.Getenv("CIVICMON_MIRROR_KEY"), "the private key `FILE` that signs the manifest (make one with civicmon keygen; env CIVICMON_MIRROR_KEY)")
	unsigned := fs.Bool("unsigned", false, "write the mirror without a signature (its readers cannot check where it came from)")
	baseURL := fs.String("base-url", os.Getenv("CIVICMON_BASE_URL"), "public `URL` of the site, e.g. https://monitor.example.org: feeds and permalinks keep it (env CIVICMON_BASE_URL)")
	langs := fs.String("langs", "", "interface `LANGS` to write, comma-separated, the first at the root (default: all: en,fr,es,ru)")
	workers := fs.Int("workers", 0, "`N` pages rendered in parallel (default: the number of CPUs)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the export to `FILE`, to read with go tool pprof (to see where an export spends its time)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, 1, 1); err != nil {
		return err
	}
	dir := fs.Arg(0)
	o := mirror.Options{BaseURL: *baseURL, Unsigned: *unsigned, Workers: *workers, Logger: e.log, Now: timeNow}
	if *keyFile != "" && *unsigned {
		return fmt.Errorf("--key and --unsigned contradict each other: give one")
	}
	if *keyFile != "" {
		k, err := mirror.ReadPrivateKey(*keyFile)
		if err != nil {
			return err
		}
		o.Key = k
	} else if !*unsigned {
		return mirror.ErrNoKey
	}
	if *langs != "" {
		for _, s := range strings.Split(*langs, ",") {
			l, ok := i18n.Parse(strings.TrimSpace(s))
			if !ok || string(l) != strings.TrimSpace(s) {
				return fmt.Errorf("--langs: %q is not a language of the site; allowed: %s", s, langList())
			}
			o.Langs = append(o.Langs, l)
		}
	}
	d, err := openDB(e, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("files"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
		o.Progress = func(done, total int) {
			if total > bar.GetMax() {
				bar.ChangeMax(total + total/20) // grows with the estimate, not on every file
			}
			bar.Set(done)
		}
		defer bar.Finish()
	} else {
		var next int
		o.Progress = func(done, total int) {
			if done >= next {
				e.log.Info("exporting site", "files", done, "estimate", total)
				next = done + max(total/10, 1000)
			}
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	res, err := mirror.Export(e.ctx, d.Store(), dir, o)
	if err != nil {
		return fmt.Errorf("%w\nno mirror was written: %s is as it was", err, dir)
	}
	fmt.Fprintf(e.stdout, "mirror written to %s: %d files, %.1f MB, %d updates, in %s\n",
		dir, res.Files, float64(res.Bytes)/1e6, res.Updates, res.Elapsed.Round(time.Millisecond))
	if res.Fingerprint != "" {
		fmt.Fprintf(e.stdout, "signed with key %s: publish this fingerprint where readers can find it, so they can check copies with\n  civicmon verify-mirror --key-fingerprint %s %s\n", res.Fingerprint, res.Fingerprint, dir)
	} else {
		fmt.Fprintf(e.stdout, "UNSIGNED: the mirror has a manifest of hashes but no signature; its readers cannot check who made it\n")
	}
	return nil
}

func langList() string {
	var s []string
	for _, l := range i18n.Supported {
		s = append(s, string(l))
	}
	return strings.Join(s, ", ")
}

func cmdKeygen(e *env, args []string) error {
	fs := newFlags(e, "keygen", "keygen --out FILE")
	out := fs.String("out", "", "the `FILE` for the private key (mode 0600); the public key goes to FILE.pub")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, 0, 0); err != nil {
		return err
	}
	if err := required(e, fs, "out"); err != nil {
		return err
	}
	pub, err := mirror.GenerateKey(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "private key: %s (keep it secret and backed up; whoever has it can sign mirrors in your name)\n"+
		"public key:  %s.pub (publish it)\nfingerprint: %s (publish it too: readers compare it with what verify-mirror prints)\n",
		*out, *out, mirror.Fingerprint(pub))
	return nil
}

// errNotGenuine: verify-mirror found a problem (exit status 1).
var errNotGenuine = errors.New("the copy is NOT genuine or not whole: do not trust its pages; get a fresh copy from the organisation or another source, and check it again")

// errUntrusted: the files match a signed manifest, but no trusted key was
// given (exit status 1 too: nothing was proved).
var errUntrusted = errors.New("NOT VERIFIED: the files match the manifest, but no trusted key was given, and the key inside the manifest proves nothing by itself (whoever changed the files could sign them with their own). Compare the fingerprint above with the one the organisation publishes, then run again with --key-fingerprint or --pubkey")

func cmdVerifyMirror(e *env, args []string) error {
	fs := newFlags(e, "verify-mirror", "verify-mirror [--pubkey FILE | --key-fingerprint SHA256:…] DIR")
	pubFile := fs.String("pubkey", "", "the organisation's public key `FILE` (the FILE.pub that civicmon keygen writes beside the private key)")
	fp := fs.String("key-fingerprint", "", "the organisation's key `FINGERPRINT`, as it publishes it (SHA256:…)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, 1, 1); err != nil {
		return err
	}
	dir := fs.Arg(0)
	var trust mirror.Trust
	if *pubFile != "" {
		pub, err := mirror.ReadPublicKey(*pubFile)
		if err != nil {
			return err
		}
		trust.PublicKey = pub
	}
	trust.Fingerprint = *fp
	rep, err := mirror.Verify(dir, trust)
	if err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "mirror:    %s\ngenerated: %s\nfiles:     %d in the manifest\n", dir, rep.Generated.Format(time.RFC3339), rep.Files)
	switch rep.Signature {
	case "unsigned":
		fmt.Fprintf(w, "signature: NONE — the mirror was exported unsigned\n")
	case "missing":
		fmt.Fprintf(w, "signature: MISSING — %s was removed\n", mirror.SignatureName)
	case "invalid":
		fmt.Fprintf(w, "signature: INVALID — the manifest was changed after signing, or the signature is not of its key\n")
	default:
		fmt.Fprintf(w, "signature: valid, by key %s\n", rep.Fingerprint)
	}
	if rep.Fingerprint != "" && rep.Signature != "valid" {
		fmt.Fprintf(w, "key named in the manifest: %s\n", rep.Fingerprint)
	}
	if rep.TrustGiven {
		if rep.Trusted {
			fmt.Fprintf(w, "key:       trusted (it is the key you gave)\n")
		} else {
			fmt.Fprintf(w, "key:       NOT the key you gave — someone else signed this copy\n")
		}
	}
	for _, p := range rep.Changed {
		fmt.Fprintf(w, "CHANGED  %s\n", p)
	}
	for _, p := range rep.Missing {
		fmt.Fprintf(w, "MISSING  %s\n", p)
	}
	for _, p := range rep.Extra {
		fmt.Fprintf(w, "EXTRA    %s\n", p)
	}
	if n := len(rep.Changed) + len(rep.Missing) + len(rep.Extra); n > 0 {
		fmt.Fprintf(w, "%d changed, %d missing, %d extra files\n", len(rep.Changed), len(rep.Missing), len(rep.Extra))
	}
	switch {
	case rep.OK():
		fmt.Fprintf(w, "OK: every file is as the organisation signed it\n")
		return nil
	case !rep.FilesOK() || rep.Signature != "valid" || (rep.TrustGiven && !rep.Trusted):
		return errNotGenuine
	default:
		return errUntrusted
	}
}
