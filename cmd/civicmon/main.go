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
		{"gen", "fill a database with synthetic data for benchmarks", cmdGen},
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
		"(default civicmon.db) or a postgres:// URL.\n")
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
	fmt.Fprintf(stderr, "civicmon: unknown command %q\n\n", name)
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
		fmt.Fprintf(fs.Output(), "Usage: civicmon %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, turning a flag error into errUsage (already printed)
// and --help into flag.ErrHelp with the usage on stdout.
func parse(e *env, fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return flag.ErrHelp
		}
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	return nil
}

func dbFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("CIVICMON_DB")
	if def == "" {
		def = "civicmon.db"
	}
	return fs.String("db", def, "database: a SQLite file path or a postgres:// URL (env CIVICMON_DB)")
}

func cmdVersion(e *env, args []string) error {
	fs := newFlags(e, "version", "version")
	if err := parse(e, fs, args); err != nil {
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
	fmt.Fprintf(e.stderr, "civicmon %s: unknown subcommand %q\n\n%s", name, args[0], usage)
	return errUsage
}
