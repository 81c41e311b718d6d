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
	register("validate", "check a manifest: keys, types, values, feature sets, labelers, inputs and output", runValidate)
}

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate", "validate [--manifest-only] MANIFEST", stderr)
	only := fs.Bool("manifest-only", false, "check the manifest alone: not its inputs (which may be absent, e.g. in CI) nor its output")
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
	if *only {
		fmt.Fprintf(stdout, "%s: ok (manifest only: %d [[input]] table(s), %d labeler(s))\n", pos[0], len(m.Inputs), len(m.Labels))
		describeLive(stdout, m)
		return nil
	}
	plan, err := pipeline.MakePlan(ctx, m, pipeline.PlanOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok (%d input(s), %d feature set(s), %d labeler(s))\n", pos[0], len(plan.Jobs), len(plan.FeatureSets), len(m.Labels))
	describeLive(stdout, m)
	return nil
}

// describeLive prints what each live input will do.
func describeLive(w io.Writer, m *pipeline.Manifest) {
	for i := range m.Inputs {
		if d := m.LiveDescription(&m.Inputs[i]); d != "" {
			fmt.Fprintf(w, "%s: %s\n", m.Inputs[i].Key, d)
		}
	}
}
