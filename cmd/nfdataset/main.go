package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) {
	if _, dup := commands[name]; dup {
		panic("duplicate command " + name)
	}
	commands[name] = command{summary: summary, run: run}
}

// usageError makes the command exit with status 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitCode maps an error to the documented exit status.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	var c interface{ ExitCode() int }
	if errors.As(err, &c) {
		return c.ExitCode()
	}
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: nfdataset COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'nfdataset COMMAND -h' for the flags of a command.")
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		usage(stdout)
		return 0
	case "--version", "-version", "-V":
		if err := printVersion(stdout); err != nil {
			fmt.Fprintf(stderr, "nfdataset: %v\n", err)
			return 1
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, n)
		}
		fmt.Fprintf(stderr, "nfdataset: unknown command %q", args[0])
		if c := closest(args[0], names); c != "" {
			fmt.Fprintf(stderr, "; did you mean %q?", c)
		}
		fmt.Fprintln(stderr)
		usage(stderr)
		return 2
	}
	errOut := stderr
	if wantsHelp(args[1:]) {
		errOut = stdout
	}
	err := cmd.run(ctx, args[1:], stdout, errOut)
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// A signal, not a failure of the input: say so and use the shell's
		// convention for death by SIGINT.
		fmt.Fprintf(stderr, "nfdataset %s: interrupted\n", args[0])
		return 130
	}
	if err != nil && !errors.Is(err, errSilent) {
		fmt.Fprintf(stderr, "nfdataset %s: %v\n", args[0], err)
	}
	return exitCode(err)
}

// errSilent marks an error already reported to the user.
var errSilent = errors.New("reported")

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
