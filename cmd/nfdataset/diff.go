package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/nfdataset/nfdataset/pipeline"
)

func init() {
	register("diff", "compare two datasets flow by flow and column by column (exit 1 when they differ)", runDiff)
}

func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("diff", "diff [--tolerance T] [--examples N] A B", stderr)
	tol := fs.Float64("tolerance", 0, "relative tolerance for numbers: |a-b| <= T*max(|a|,|b|) counts as equal")
	examples := fs.Int("examples", 3, "differing flows shown per column")
	pos, err := parseCommand(fs, args, 2, "two datasets A and B (directories, or single data files)")
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if *tol < 0 {
		return usagef("invalid --tolerance %v: must be ≥ 0", *tol)
	}
	var tables [2]*pipeline.Table
	for i, p := range pos {
		t, err := readTable(p)
		if err != nil {
			return err
		}
		tables[i] = t
	}
	r := pipeline.Diff(tables[0], tables[1], pipeline.DiffOptions{Tolerance: *tol, MaxExamples: *examples})
	if r.Equal() {
		fmt.Fprintf(stdout, "same: %d flows, %d columns\n", len(tables[0].Rows), len(tables[0].Columns))
		return nil
	}
	fmt.Fprintf(stdout, "--- A %s (%d flows)\n+++ B %s (%d flows)\n", pos[0], len(tables[0].Rows), pos[1], len(tables[1].Rows))
	for _, l := range r.Lines {
		fmt.Fprintln(stdout, l)
	}
	return fmt.Errorf("the datasets differ (%d finding(s))", len(r.Lines))
}

func readTable(path string) (*pipeline.Table, error) {
	if isDir(path) {
		return pipeline.ReadDataset(path)
	}
	return pipeline.ReadFile(path)
}
