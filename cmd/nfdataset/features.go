package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/pipeline"
	"github.com/nfdataset/nfdataset/stages"
)

func init() {
	register("features", "list every feature set: version, logic hash, options and column docs", runFeatures)
}

func runFeatures(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("features", "features [--brief]", stderr)
	brief := fs.Bool("brief", false, "one line per set, without options and columns")
	if _, err := parseCommand(fs, args, 0, "no arguments"); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	env := stages.DefaultStreamer().Env()
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
	for _, spec := range features.All() {
		hash, err := pipeline.ReferenceHash(spec.Name)
		if err != nil {
			return err
		}
		if *brief {
			fmt.Fprintf(tw, "%s\tv%d\t%s\t%s\n", spec.Name, spec.Version, hash, spec.Doc)
			continue
		}
		with := ""
		if po := pipeline.ProbeOptions(spec.Name); len(po) > 0 {
			with = fmt.Sprintf(" with %v", map[string]any(po))
		}
		fmt.Fprintf(stdout, "%s (version %d, logic %s%s)\n  %s\n", spec.Name, spec.Version, hash, with, spec.Doc)
		if len(spec.Options) > 0 {
			fmt.Fprintln(stdout, "  options:")
			for _, o := range spec.Options {
				fmt.Fprintf(tw, "    %s\t= %v\t%s\n", o.Name, o.Default, o.Doc)
			}
			tw.Flush()
		}
		ex, err := features.NewExtractor([]features.Request{{Name: spec.Name, Options: pipeline.ProbeOptions(spec.Name)}}, env)
		if err != nil {
			fmt.Fprintf(stdout, "  columns: cannot build with default options: %v\n\n", err)
			continue
		}
		fmt.Fprintln(stdout, "  columns:")
		for _, c := range ex.Schema() {
			null := ""
			if c.Nullable {
				null = ", nullable"
			}
			fmt.Fprintf(tw, "    %s\t%s%s\t%s\n", c.Name, c.Kind, null, c.Doc)
		}
		tw.Flush()
		fmt.Fprintln(stdout)
	}
	return tw.Flush()
}
