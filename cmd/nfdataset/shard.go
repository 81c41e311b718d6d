package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/nfdataset/nfdataset/pipeline"
)

func init() {
	register("merge", "merge the shards of a sharded build (build --shard I/N) into the dataset", runMerge)
}

// shardFlags are build's --shard, --shards and --split-above.
type shardFlags struct {
	shard, splitAbove *string
	shards            *int
}

func addShardFlags(fs *flag.FlagSet) *shardFlags {
	return &shardFlags{
		shard: fs.String("shard", "", "compute only shard I/N (0-based) into OUT/.shards/I-of-N/, for merge; "+
			"env: I and N from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX with --shards N) or a Slurm array"),
		shards: fs.Int("shards", 0, "the shard count N, with --shard env under Kubernetes"),
		splitAbove: fs.String("split-above", "", fmt.Sprintf("split inputs larger than SIZE (B, KiB, MiB, GiB, TiB) over the shards by flow hash (default %dGiB)",
			pipeline.DefaultSplitAbove>>30)),
	}
}

// resolve returns the shard to compute, if any.
func (f *shardFlags) resolve(lookup func(string) (string, bool)) (pipeline.Shard, bool, error) {
	if *f.shard == "" {
		if *f.shards != 0 || *f.splitAbove != "" {
			return pipeline.Shard{}, false, usagef("--shards and --split-above need --shard")
		}
		return pipeline.Shard{}, false, nil
	}
	var s pipeline.Shard
	var err error
	if *f.shard == "env" {
		s, err = shardFromEnv(lookup, *f.shards)
	} else {
		if *f.shards != 0 {
			return s, false, usagef("--shards goes with --shard env only (--shard %s names N already)", *f.shard)
		}
		s, err = pipeline.ParseShard(*f.shard)
	}
	if err != nil {
		return s, false, usageError{err}
	}
	if *f.splitAbove != "" {
		if s.SplitAbove, err = pipeline.ParseSize(*f.splitAbove); err != nil {
			return s, false, usageError{fmt.Errorf("--split-above: %w", err)}
		}
		if s.SplitAbove == 0 {
			return s, false, usagef("--split-above must be > 0")
		}
	}
	return s, true, nil
}

// shardFromEnv reads the shard from a Kubernetes Indexed Job
// (JOB_COMPLETION_INDEX; N from --shards) or a Slurm job array
// (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT).
func shardFromEnv(lookup func(string) (string, bool), shards int) (pipeline.Shard, error) {
	num := func(name string) (int, bool, error) {
		v, ok := lookup(name)
		if !ok || v == "" {
			return 0, false, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, true, fmt.Errorf("--shard env: %s=%q is not a number", name, v)
		}
		return n, true, nil
	}
	if idx, ok, err := num("JOB_COMPLETION_INDEX"); ok || err != nil {
		if err != nil {
			return pipeline.Shard{}, err
		}
		if shards < 1 {
			return pipeline.Shard{}, errors.New("--shard env: JOB_COMPLETION_INDEX is set (Kubernetes): give the shard count with --shards N")
		}
		return pipeline.ParseShard(fmt.Sprintf("%d/%d", idx, shards))
	}
	id, ok, err := num("SLURM_ARRAY_TASK_ID")
	if err != nil {
		return pipeline.Shard{}, err
	}
	if !ok {
		return pipeline.Shard{}, errors.New("--shard env: neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (Slurm job array) is set")
	}
	lo, okMin, err := num("SLURM_ARRAY_TASK_MIN")
	if err != nil {
		return pipeline.Shard{}, err
	}
	count, okCount, err := num("SLURM_ARRAY_TASK_COUNT")
	if err != nil {
		return pipeline.Shard{}, err
	}
	if !okMin || !okCount {
		return pipeline.Shard{}, errors.New("--shard env: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN or SLURM_ARRAY_TASK_COUNT is not")
	}
	if shards != 0 && shards != count {
		return pipeline.Shard{}, fmt.Errorf("--shard env: --shards %d but the Slurm array has %d tasks", shards, count)
	}
	return pipeline.ParseShard(fmt.Sprintf("%d/%d", id-lo, count))
}

func buildShard(ctx context.Context, plan *pipeline.Plan, s pipeline.Shard, jobs int, stderr io.Writer) error {
	prog := &pipeline.Progress{}
	stop := startProgress(stderr, prog)
	sum, err := pipeline.BuildShard(ctx, plan, pipeline.BuildOptions{Jobs: jobs, Progress: prog,
		Warn: func(job string, err error) { fmt.Fprintf(stderr, "\rwarning: %s: %v\n", job, err) }}, s)
	stop()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: shard %s has no record; run it again", s)
		}
		return err
	}
	var flows int64
	split := 0
	for _, j := range sum.Record.Jobs {
		flows += j.Flows
		if j.Split {
			split++
		}
	}
	fmt.Fprintf(stderr, "built shard %s of %s: %d input(s) (%d split by flow hash), %d flows, %s → %s\n",
		s, plan.Manifest.Dataset.Name, len(sum.Record.Jobs), split, flows, sum.Elapsed.Round(time.Millisecond), displayPath(sum.Path))
	return nil
}

func runMerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("merge", "merge OUT", stderr)
	pos, err := parseCommand(fs, args, 1, "one OUT folder")
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	sum, err := pipeline.Merge(ctx, pos[0], pipeline.MergeOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "merged %s: %d input(s), %d rows in %d file(s), %s → %s\n", sum.Provenance.Dataset.Name,
		sum.Jobs, sum.Rows, len(sum.Files), sum.Elapsed.Round(time.Millisecond), displayPath(sum.Dir))
	return nil
}
