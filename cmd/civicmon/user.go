package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/password"
	"golang.org/x/term"
)

const userUsage = `Usage: civicmon user <subcommand> [flags]

Subcommands:
  add --email EMAIL --name NAME --role ROLE
                                    create an account (password read from the terminal or stdin)
  list                              list accounts
  set-role EMAIL ROLE               change an account's role
  passwd EMAIL                      set a new password (read from the terminal or stdin)

Roles: admin, editor, researcher, reviewer. Each subcommand takes --db.
`

func cmdUser(e *env, args []string) error {
	return subcommand(e, "user", userUsage, args, map[string]func(*env, []string) error{
		"add": cmdUserAdd, "list": cmdUserList, "set-role": cmdUserSetRole, "passwd": cmdUserPasswd,
	})
}

func cmdUserAdd(e *env, args []string) error {
	fs := newFlags(e, "user add", "user add --email EMAIL --name NAME --role ROLE [--db DB]")
	db := dbFlag(fs)
	email := fs.String("email", "", "the `EMAIL` address, used to sign in")
	name := fs.String("name", "", "the display `NAME`")
	role := fs.String("role", "", "the `ROLE`: admin, editor, researcher or reviewer")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, 0, 0); err != nil {
		return err
	}
	if err := required(e, fs, "email", "name", "role"); err != nil {
		return err
	}
	u := civicmon.User{Email: *email, Name: *name, Role: civicmon.Role(*role), PasswordHash: "pending"}
	if err := u.Validate(); err != nil { // before asking for a password
		return err
	}
	if err := mustExist(*db); err != nil {
		return err
	}
	pw, err := readPassword(e, "Password for "+u.Email)
	if err != nil {
		return err
	}
	if u.PasswordHash, err = password.Hash(pw, password.Default); err != nil {
		return err
	}
	d, err := openDB(e, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Store().CreateUser(e.ctx, &u); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created %s (%s) with role %s\n", u.Email, u.Name, u.Role)
	return nil
}

func cmdUserList(e *env, args []string) error {
	fs := newFlags(e, "user list", "user list [--db DB]")
	db := dbFlag(fs)
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, 0, 0); err != nil {
		return err
	}
	d, err := openDB(e, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	users, err := d.Store().Users(e.ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tCREATED")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Email, u.Name, u.Role, u.CreatedAt.UTC().Format("2006-01-02"))
	}
	return tw.Flush()
}

func cmdUserSetRole(e *env, args []string) error {
	return changeUser(e, "set-role", "EMAIL ROLE", "ROLE is admin, editor, researcher or reviewer. The account is signed out everywhere.", 2, args, func(fs *flag.FlagSet, u *civicmon.User) (string, error) {
		u.Role = civicmon.Role(fs.Arg(1))
		return fmt.Sprintf("%s now has role %s", u.Email, u.Role), nil
	})
}

func cmdUserPasswd(e *env, args []string) error {
	return changeUser(e, "passwd", "EMAIL", "The new password is read twice from the terminal, or as one line from stdin.\nThe account is signed out everywhere.", 1, args, func(_ *flag.FlagSet, u *civicmon.User) (string, error) {
		pw, err := readPassword(e, "New password for "+u.Email)
		if err != nil {
			return "", err
		}
		if u.PasswordHash, err = password.Hash(pw, password.Default); err != nil {
			return "", err
		}
		return "password changed for " + u.Email, nil
	})
}

// changeUser runs `civicmon user SUB EMAIL …`: it finds the account by its
// e-mail (the first argument), lets change alter it, saves it and prints
// what change says.
func changeUser(e *env, sub, operands, about string, nargs int, args []string,
	change func(fs *flag.FlagSet, u *civicmon.User) (string, error)) error {
	fs := newFlags(e, "user "+sub, "user "+sub+" "+operands+" [--db DB]\n\n"+about)
	db := dbFlag(fs)
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, nargs, nargs); err != nil {
		return err
	}
	d, err := openDB(e, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	s := d.Store()
	u, err := s.UserByEmail(e.ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	done, err := change(fs, u)
	if err != nil {
		return err
	}
	if err := s.SaveUser(e.ctx, u); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, done)
	return nil
}

// readPassword asks twice without echo on a terminal; otherwise it reads
// one line from stdin, so scripts can pipe a password in.
func readPassword(e *env, prompt string) (string, error) {
	var pw string
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(e.stderr, "%s: ", prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(e.stderr, "Again: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		if string(b) != string(again) {
			return "", errors.New("the two passwords differ; nothing was changed")
		}
		pw = string(b)
	} else {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if err := password.Check(pw); err != nil {
		return "", fmt.Errorf("%w; nothing was changed", err)
	}
	return pw, nil
}
