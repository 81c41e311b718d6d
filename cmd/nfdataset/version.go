package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/pipeline"
)

func init() {
	register("version", "print nfdataset's version, the Go version and every feature set's logic hash", runVersion)
}

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "version", stderr)
	if _, err := parseCommand(fs, args, 0, "no arguments"); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	return printVersion(stdout)
}

// printVersion writes what a bug report needs: which nfdataset, built with
// which Go, and which feature logic (the same hashes `features` prints, so
// a dataset's provenance can be matched against this binary).
func printVersion(w io.Writer) error {
	mod := "(devel)"
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		mod = info.Main.Version
	}
	fmt.Fprintf(w, "nfdataset %s (module %s)\n", pipeline.Version, mod)
	fmt.Fprintf(w, "go %s %s/%s\n", strings.TrimPrefix(runtime.Version(), "go"), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintln(w, "feature sets:")
	for _, spec := range features.All() {
		hash, err := pipeline.ReferenceHash(spec.Name)
		if err != nil {
			return fmt.Errorf("feature set %s: %w", spec.Name, err)
		}
		fmt.Fprintf(w, "  %s version %d logic %s\n", spec.Name, spec.Version, hash)
	}
	return nil
}

// closest returns the candidate nearest to s by edit distance, or "" when
// none is near enough to be a plausible typo.
func closest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > max(1, len([]rune(s))/3+1) {
		return ""
	}
	return best
}

// editDistance is Levenshtein's distance counting a swap of two
// neighbouring letters as one edit (the commonest typo).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// suggestFlag adds "did you mean --x?" to the flag package's complaint about
// an unknown flag.
func suggestFlag(fs *flag.FlagSet, err error, w io.Writer) {
	const prefix = "flag provided but not defined: -"
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return
	}
	name := strings.TrimLeft(strings.TrimPrefix(msg, prefix), "-")
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if c := closest(name, names); c != "" {
		fmt.Fprintf(w, "did you mean --%s?\n", c)
	}
}

// wantsHelp reports whether the command line asks for help, so that help
// goes to standard output like any requested output.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help", "--h":
			return true
		}
	}
	return false
}
