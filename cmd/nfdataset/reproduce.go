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
	register("reproduce", "rebuild a published dataset from its manifest.json and verify it reproduces", runReproduce)
}

func runReproduce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reproduce", "reproduce [--inputs DIR] [--output DIR] [--jobs N] PUBLISHED", stderr)
	inputs := fs.String("inputs", ".", "directory searched (with its subdirectories) for the captures, matched by file name and sha256")
	output := fs.String("output", "reproduced", "where the dataset is rebuilt")
	jobs := fs.Int("jobs", 0, "jobs run at once (0: one per core)")
	pos, err := parseCommand(fs, args, 1, "one PUBLISHED folder or https:// URL holding dataset.json and manifest.json")
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	rep, err := pipeline.Reproduce(ctx, pipeline.ReproduceOptions{
		Published: pos[0], Inputs: *inputs, Output: *output,
		Build: pipeline.BuildOptions{Jobs: *jobs},
	})
	if err != nil {
		return err
	}
	for _, line := range rep.Inputs {
		fmt.Fprintln(stdout, line)
	}
	if rep.Missing > 0 {
		return fmt.Errorf("%d input file(s) missing or different under %s: nothing built", rep.Missing, *inputs)
	}
	for _, d := range rep.Diffs {
		fmt.Fprintln(stdout, d)
	}
	if len(rep.Diffs) > 0 {
		return fmt.Errorf("rebuilt %s does not reproduce %s: %d difference(s)", *output, pos[0], len(rep.Diffs))
	}
	fmt.Fprintf(stdout, "reproduced %s: %d rows in %d file(s) → %s, every file matches the published dataset.json\n",
		pos[0], rep.Built.Rows, len(rep.Built.Files), *output)
	return nil
}
