// Command civicmon runs the civic space monitor: the web server and the
// tools around it. `civicmon help` lists the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/civicmon/civicmon"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env is what a command runs with; tests give their own.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
}

type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the web server", cmdServe},
		{"migrate", "apply pending database migrations", cmdMigrate},
		{"demo", "load the demo data into a new, empty database", cmdDemo},
		{"gen", "add synthetic updates to a demo database, for benchmarks", cmdGen},
		{"user", "manage accounts: add, list, set-role, passwd", cmdUser},
		{"audit", "verify the audit log's hash chain", cmdAudit},
		{"token", "manage API tokens: create, list, revoke", cmdToken},
		{"reindex", "rebuild the search index", cmdReindex},
		{"backup", "copy a SQLite database while the server runs", cmdBackup},
		{"restore", "put a backup in place of a missing SQLite database", cmdRestore},
		{"export", "write the public data as NDJSON, JSON or CSV; `export site` writes a static mirror", cmdExport},
		{"import", "read exports and country-page dossiers, all or nothing", cmdImport},
		{"keygen", "make a key to sign static mirrors with", cmdKeygen},
		{"verify-mirror", "check that a copy of a static mirror is genuine and whole", cmdVerifyMirror},
		{"version", "print the version", cmdVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "civicmon %s — a civic space monitor\n\nUsage: civicmon <command> [flags]\n\nCommands:\n", civicmon.Version)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun `civicmon <command> --help` for a command's flags.\n"+
		"Every command that uses the database takes --db (or CIVICMON_DB): a SQLite file path\n"+
		"(default civicmon.db) or a postgres:// URL. Flags go before or after the arguments.\n")
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr,
		log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel()}))}
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(e, args[1:])
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			}
			fmt.Fprintf(stderr, "civicmon %s: %s\n", name, errorText(err))
			return 1
		}
	}
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	fmt.Fprintf(stderr, "civicmon: unknown command %q%s\n\n", name, didYouMean(name, names, ""))
	usage(stderr)
	return 2
}

// errorText shows application errors as they are and keeps the cause of
// internal ones, which on the command line is for the operator to see.
func errorText(err error) string {
	if civicmon.ErrorCode(err) == civicmon.EINTERNAL {
		return err.Error()
	}
	return civicmon.ErrorMessage(err)
}

// errUsage marks an error already reported with the command's usage.
var errUsage = errors.New("usage")

// timeNow is the clock of the commands.
var timeNow = time.Now

func logLevel() slog.Level {
	switch strings.ToLower(os.Getenv("CIVICMON_LOG_LEVEL")) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// newFlags returns a flag set whose --help prints the command's usage.
func newFlags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: civicmon %s\n", synopsis)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintf(fs.Output(), "\nFlags (before or after the arguments; -flag and --flag alike):\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses flags and arguments in any order (`export site DIR --key K`
// as `export site --key K DIR`); after "--" everything is an argument. A
// flag error is printed with the command's usage and becomes errUsage;
// --help prints the usage on stdout and becomes flag.ErrHelp.
func parse(e *env, fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "--help" || a == "-help" {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return flag.ErrHelp
		}
	}
	// The flag package prints its own error and usage; ours say more.
	usage := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	defer func() { fs.Usage = usage; fs.SetOutput(e.stderr) }()
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			fs.SetOutput(e.stderr)
			fmt.Fprintf(e.stderr, "civicmon %s: %s\n\n", fs.Name(), flagError(fs, err))
			usage()
			return errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	// Parse again with only the arguments, so that fs.Args() holds them.
	return fs.Parse(append([]string{"--"}, positional...))
}

// flagError says what the flag package found wrong in the words of this
// command line: flags are written --name in the usage.
func flagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		var flags []string
		fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
		return "unknown flag " + dashes(name) + didYouMean(strings.TrimLeft(name, "-"), flags, "--")
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return "the flag " + dashes(name) + " needs a value"
	}
	return msg
}

func dashes(name string) string { return "--" + strings.TrimLeft(name, "-") }

// args checks the number of arguments left after the flags: between min
// and max (-1: no limit). Too few or too many is a usage error, printed.
func checkArgs(e *env, fs *flag.FlagSet, min, max int) error {
	n := fs.NArg()
	if n >= min && (max < 0 || n <= max) {
		return nil
	}
	switch {
	case n < min && min == 1:
		fmt.Fprintf(e.stderr, "civicmon %s: missing argument\n\n", fs.Name())
	case n < min:
		fmt.Fprintf(e.stderr, "civicmon %s: needs %d arguments, got %d\n\n", fs.Name(), min, n)
	case max == 0:
		extra := fs.Arg(0)
		hint := ""
		if strings.HasSuffix(extra, ".db") || strings.HasPrefix(extra, "postgres://") || strings.HasPrefix(extra, "postgresql://") {
			hint = fmt.Sprintf(" (a database is given with --db %s)", extra)
		}
		fmt.Fprintf(e.stderr, "civicmon %s: takes no arguments, got %q%s\n\n", fs.Name(), extra, hint)
	default:
		fmt.Fprintf(e.stderr, "civicmon %s: too many arguments: %q\n\n", fs.Name(), fs.Args()[max:])
	}
	fs.Usage()
	return errUsage
}

func dbFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("CIVICMON_DB")
	if def == "" {
		def = "civicmon.db"
	}
	return fs.String("db", def, "the database `DB`: a SQLite file path or a postgres:// URL (env CIVICMON_DB)")
}

func cmdVersion(e *env, args []string) error {
	fs := newFlags(e, "version", "version")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, 0, 0); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "civicmon %s\n", civicmon.Version)
	return nil
}

// subcommand runs the subcommand args[0] of the command name, or prints
// usage: the one dispatcher of the commands that have subcommands.
func subcommand(e *env, name, usage string, args []string, subs map[string]func(*env, []string) error) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	if run, ok := subs[args[0]]; ok {
		return run(e, args[1:])
	}
	var names []string
	for n := range subs {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(e.stderr, "civicmon %s: unknown subcommand %q%s\n\n%s", name, args[0], didYouMean(args[0], names, ""), usage)
	return errUsage
}

// required refuses, with the usage, flags left empty that the command
// needs.
func required(e *env, fs *flag.FlagSet, names ...string) error {
	var missing []string
	for _, n := range names {
		if f := fs.Lookup(n); f != nil && f.Value.String() == "" {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	fmt.Fprintf(e.stderr, "civicmon %s: missing %s\n\n", fs.Name(), strings.Join(missing, ", "))
	fs.Usage()
	return errUsage
}

// didYouMean suggests the closest of names to a mistyped one, if one is
// close: "; did you mean --dry-run?".
func didYouMean(typed string, names []string, prefix string) string {
	best, dist := "", 3
	for _, n := range names {
		if d := editDistance(typed, n); d < dist || d == dist && best == "" && strings.HasPrefix(n, typed) {
			best, dist = n, d
		}
	}
	if best == "" || dist > max(1, len(typed)/3) {
		return ""
	}
	return "; did you mean " + prefix + best + "?"
}
