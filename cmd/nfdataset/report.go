package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/nfdataset/nfdataset/pipeline/report"
)

func init() {
	register("report", "write a self-contained HTML report of a dataset (labels, timeline, applications, features, warnings)", runReport)
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", "report [-o FILE] [--columns A,B] [--top N] DATASET", stderr)
	out := fs.String("o", "", "the HTML file to write (default DATASET/report.html)")
	columns := fs.String("columns", "", "numeric columns to plot per label, comma-separated")
	top := fs.Int("top", 10, "applications and categories shown; the rest are grouped")
	pos, err := parseCommand(fs, args, 1, "one DATASET directory")
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	opts := report.Options{TopN: *top}
	if *columns != "" {
		for _, c := range strings.Split(*columns, ",") {
			opts.Columns = append(opts.Columns, strings.TrimSpace(c))
		}
	}
	path := *out
	if path == "" {
		path = filepath.Join(pos[0], report.File)
	}
	if err := report.Write(pos[0], path, opts); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "report of %s → %s\n", pos[0], path)
	return nil
}
