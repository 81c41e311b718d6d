package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/nfdataset/nfdataset/pipeline"
)

func init() {
	register("plan", "list a manifest's jobs and which of them a build would run", runPlan)
}

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plan", "plan [--output DIR] [--force] MANIFEST", stderr)
	output := fs.String("output", "", "dataset directory, instead of the manifest's [output].path")
	force := fs.Bool("force", false, "plan as build --force would (every job runs)")
	pos, err := parseCommand(fs, args, 1, "one MANIFEST")
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	m, err := pipeline.Load(pos[0])
	if err != nil {
		return err
	}
	plan, err := pipeline.MakePlan(ctx, m, pipeline.PlanOptions{Output: *output})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "dataset %s → %s\n", m.Dataset.Name, displayPath(plan.OutDir))
	fmt.Fprint(stdout, "feature sets:")
	for _, f := range plan.FeatureSets {
		fmt.Fprintf(stdout, " %s/v%d", f.Name, f.Version)
	}
	fmt.Fprintln(stdout)
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tSOURCE\tFILES\tSIZE\tCACHE KEY\tACTION")
	run := 0
	for _, j := range plan.Jobs {
		action := "cached"
		if j.Input.Live != nil {
			action = "capture"
			run++
		} else if *force || !j.Cached {
			action = "run"
			run++
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\n", j.Index, j.Name, len(j.Files), humanBytes(j.Size()), j.Key[:12], action)
	}
	tw.Flush()
	for _, j := range plan.Jobs {
		if d := m.LiveDescription(j.Input); d != "" {
			fmt.Fprintf(stdout, "job %d (%s): %s\n", j.Index, j.Name, d)
		}
	}
	fmt.Fprintf(stdout, "%d job(s) to run, %d cached\n", run, len(plan.Jobs)-run)
	return nil
}
