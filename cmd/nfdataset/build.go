package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nfdataset/nfdataset/pipeline"
	"github.com/nfdataset/nfdataset/stages/objstore"
)

func init() {
	register("build", "build a dataset from a TOML manifest (progress on stderr, summary at the end)", runBuild)
}

// parseCommand parses flags (anywhere among the arguments) and checks the
// number of positional arguments.
func parseCommand(fs *flag.FlagSet, args []string, want int, what string) ([]string, error) {
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, flag.ErrHelp
		}
		suggestFlag(fs, err, fs.Output())
		return nil, usageError{errSilent} // flag already printed the problem
	}
	if len(pos) != want {
		fs.Usage()
		return nil, usagef("want %s, got %d argument(s)", what, len(pos))
	}
	return pos, nil
}

func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: nfdataset %s\n", usage)
		var flags bool
		fs.VisitAll(func(*flag.Flag) { flags = true })
		if flags {
			fmt.Fprintln(stderr, "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("build", "build [--jobs N] [--output DIR] [--force] [--shard I/N|env [--shards N]] [--split-above SIZE] MANIFEST", stderr)
	jobs := fs.Int("jobs", 0, "jobs run at once (0: one per core); the dataset is the same for any value")
	output := fs.String("output", "", "dataset directory, instead of the manifest's [output].path")
	force := fs.Bool("force", false, "recompute every job, ignoring the cache")
	reportJSON := fs.String("report-json", "", "live inputs: write their performance reports to this file as JSON lines")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (pprof) of the build to this file")
	sf := addShardFlags(fs)
	pos, err := parseCommand(fs, args, 1, "one MANIFEST")
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if *jobs < 0 {
		return usagef("invalid --jobs %d: must be ≥ 0", *jobs)
	}
	shard, sharded, err := sf.resolve(os.LookupEnv)
	if err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	m, err := pipeline.Load(pos[0])
	if err != nil {
		return err
	}
	s3out, toS3, err := m.S3Output(*output, nil)
	if err != nil {
		return err
	}
	if toS3 && sharded {
		// Each shard would build in its own machine's work folder, which
		// merge cannot see: shards share a folder, and the merged dataset
		// is published from there.
		return usagef("--shard with an s3:// output (%s): build the shards into a shared folder, merge, then publish", s3out)
	}
	if toS3 {
		if err := pipeline.CheckS3Output(ctx, s3out, nil); err != nil {
			return fmt.Errorf("output: %w (nothing was built or published)", err)
		}
	}
	plan, err := pipeline.MakePlan(ctx, m, pipeline.PlanOptions{Output: *output, HashWhileMetering: !sharded, Force: *force})
	if err != nil {
		return err
	}
	if sharded {
		return buildShard(ctx, plan, shard, *jobs, stderr)
	}
	prog := &pipeline.Progress{}
	opts := pipeline.BuildOptions{
		Jobs:     *jobs,
		Force:    *force,
		Progress: prog,
		Warn: func(job string, err error) {
			fmt.Fprintf(stderr, "\rwarning: %s: %v\n", job, err)
		},
	}
	buildCtx := ctx
	opts.Report = stderr
	if *reportJSON != "" {
		f, err := os.Create(*reportJSON)
		if err != nil {
			return err
		}
		defer f.Close()
		opts.ReportJSON = f
	}
	if hasLive(plan) {
		var abort context.Context
		var release func()
		opts.Stop, abort, release = liveSignals(ctx, stderr)
		defer release()
		buildCtx = abort
	}
	stop := startProgress(stderr, prog)
	sum, err := pipeline.Build(buildCtx, plan, opts)
	stop()
	if err != nil {
		if buildCtx != ctx && buildCtx.Err() != nil {
			return interruptedError{plan.OutDir}
		}
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: no dataset was published in %s (finished jobs are cached for the next build)", plan.OutDir)
		}
		return err
	}
	files := "files"
	if len(sum.Files) == 1 {
		files = "file"
	}
	warn := ""
	if sum.Warnings > 0 {
		warn = fmt.Sprintf(", %d warning(s)", sum.Warnings)
	}
	fmt.Fprintf(stderr, "built %s: %d input(s) (%d computed, %d cached), %d rows in %d %s, %s of captures, %s%s → %s\n",
		m.Dataset.Name, sum.Jobs, sum.Computed, sum.Cached, sum.Rows, len(sum.Files), files,
		humanBytes(sum.InputBytes), sum.Elapsed.Round(time.Millisecond), warn, displayPath(sum.Dir))
	if toS3 {
		return publishS3(ctx, sum.Dir, s3out, stderr)
	}
	return nil
}

// publishS3 uploads the finished local build to its s3:// output. The
// local folder is kept: a failed upload is retried by building again,
// which takes every job from the cache and publishes from the start.
func publishS3(ctx context.Context, dir string, dest objstore.URL, stderr io.Writer) error {
	rep, err := pipeline.PublishS3(ctx, dir, dest, nil)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: nothing was published at %s (no dataset.json there; build again to publish)", dest)
		}
		return fmt.Errorf("%w (nothing was published: %s has no dataset.json; build again to publish)", err, dest)
	}
	fmt.Fprintf(stderr, "published %d file(s), %s → %s\n", len(rep.Uploaded), humanBytes(rep.Bytes), dest)
	return nil
}

// displayPath shortens p relative to the working directory when inside it.
func displayPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// startProgress draws a progress line on stderr, when it is a terminal,
// until the returned function is called.
func startProgress(stderr io.Writer, prog *pipeline.Progress) func() {
	if !isTerminal(stderr) {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(stderr, "\r\033[K")
				return
			case <-tick.C:
				fmt.Fprint(stderr, "\r\033[K"+progressLine(prog.Snapshot()))
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

func progressLine(s pipeline.Snapshot) string {
	if s.Live != nil {
		return liveProgressLine(s, time.Now())
	}
	const width = 30
	frac := 1.0
	if s.BytesTotal > 0 {
		frac = min(1, float64(s.BytesRead)/float64(s.BytesTotal))
	}
	filled := int(frac * width)
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	left := "…"
	if d, ok := s.Remaining(); ok {
		left = d.Round(time.Second).String()
	}
	return fmt.Sprintf("%s %3.0f%% %s/%s  %d flows  jobs %d/%d  %s left",
		bar, frac*100, humanBytes(s.BytesRead), humanBytes(s.BytesTotal), s.Flows, s.JobsDone, s.JobsTotal, left)
}
