package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/nfdataset/nfdataset/pipeline"
)

func init() {
	register("inspect", "summarise a dataset's provenance (dataset.json)", runInspect)
}

func runInspect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("inspect", "inspect DIR", stderr)
	pos, err := parseCommand(fs, args, 1, "one dataset DIR")
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	interrupted := pipeline.Interrupted(pos[0])
	p, err := pipeline.ReadProvenance(pos[0])
	if err != nil {
		if interrupted != "" {
			return errors.New(interrupted)
		}
		return err
	}
	if interrupted != "" {
		fmt.Fprintf(stdout, "warning   %s\n\n", interrupted)
	}
	fmt.Fprintf(stdout, "dataset   %s %s\n", p.Dataset.Name, p.Dataset.Version)
	if p.Dataset.Description != "" {
		fmt.Fprintf(stdout, "          %s\n", p.Dataset.Description)
	}
	fmt.Fprintf(stdout, "built by  nfdataset %s (revision %s)\n", p.Nfdataset.Version, p.Nfdataset.VCSRevision)
	fmt.Fprintf(stdout, "manifest  sha256 %s\n", p.ManifestSHA256)
	fmt.Fprintf(stdout, "rows      %d in %d file(s), %d column(s); order: %s\n\n", p.Rows, len(p.Files), len(p.Columns), p.RowOrder)
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "INPUT\tFILES\tSIZE\tFRAMES\tROWS\tSHA256")
	for _, in := range p.Inputs {
		sum := ""
		if len(in.Files) == 1 {
			sum = in.Files[0].SHA256
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%s\n", in.Name, len(in.Files), humanBytes(in.Size), in.Stats.Frames, in.Rows, sum)
	}
	tw.Flush()
	fmt.Fprintln(stdout)
	fmt.Fprintln(tw, "FEATURE SET\tVERSION\tLOGIC HASH")
	for _, f := range p.FeatureSets {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", f.Name, f.Version, f.LogicHash)
	}
	tw.Flush()
	if len(p.Labelers) > 0 {
		fmt.Fprintln(stdout)
		fmt.Fprintln(tw, "LABELER\tVERSION\tCOLUMN")
		for _, l := range p.Labelers {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", l.Kind, l.Version, l.Column)
		}
		tw.Flush()
	}
	fmt.Fprintln(stdout)
	fmt.Fprintln(tw, "FILE\tROWS\tSIZE\tSHA256")
	for _, f := range p.Files {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", f.Path, f.Rows, humanBytes(f.Size), f.SHA256)
	}
	return tw.Flush()
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}
