package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/pipeline"
	"github.com/nfdataset/nfdataset/stages"
)

// liveFlags are flows' rotation and flow-table flags (issue 11): the
// rolling dataset layout of a live build, NFStream's to_csv chunking, and
// the bounded flow table.
type liveFlags struct {
	rotateInterval time.Duration
	flowsPerFile   int64
	rotateFiles    int64
	maxActiveFlows int64
	memoryLimit    string
	memoryBytes    int64
}

func (l *liveFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&l.rotateInterval, "rotate-interval", 0, "live capture: write -o DIR as a rolling dataset (part-NNNNN files listed in DIR/dataset.json), closing a part this long after its first flow, e.g. 10m")
	fs.Int64Var(&l.flowsPerFile, "flows-per-file", 0, "at most N flows per file: -o out.csv becomes out.0.csv, out.1.csv, … (NFStream's to_csv flows_per_file); with --rotate-interval, rows per part")
	fs.Int64Var(&l.rotateFiles, "rotate-files", 0, "with --flows-per-file: reuse K file names, chunk c going to out.<c mod K>.csv (NFStream's to_csv rotate_files)")
	fs.Int64Var(&l.maxActiveFlows, "max-active-flows", 0, "bound the flow table: a new flow in a full table evicts the oldest (expiration_id 2); 0: none for files; see docs/live.md")
	fs.StringVar(&l.memoryLimit, "memory-limit", "", "bound the flow table by memory, e.g. 1GiB (B, KiB, MiB, GiB, TiB); default none for files, 1GiB for an interface")
}

// validate checks the flags against the rest of the command line.
func (l *liveFlags) validate(o *flowsOptions) error {
	switch {
	case l.flowsPerFile < 0:
		return usagef("invalid --flows-per-file %d: must be ≥ 0", l.flowsPerFile)
	case l.rotateFiles < 0:
		return usagef("invalid --rotate-files %d: must be ≥ 0", l.rotateFiles)
	case l.rotateFiles > 0 && l.flowsPerFile == 0:
		return usagef("--rotate-files needs --flows-per-file")
	case l.maxActiveFlows < 0 || l.maxActiveFlows > 1<<31-1:
		return usagef("invalid --max-active-flows %d: must be in 0…2147483647", l.maxActiveFlows)
	case l.rotateInterval < 0:
		return usagef("invalid --rotate-interval %v: must be positive", l.rotateInterval)
	}
	if l.memoryLimit != "" {
		n, err := pipeline.ParseSize(l.memoryLimit)
		if err != nil {
			return usagef("invalid --memory-limit: %v", err)
		}
		l.memoryBytes = n
	}
	if l.flowsPerFile == 0 && l.rotateInterval == 0 {
		return nil
	}
	if o.output == "-" || o.format == framesFormat {
		return usagef("--flows-per-file and --rotate-interval write files: give -o FILE (or -o DIR with --rotate-interval) and a csv, jsonl or parquet format")
	}
	if l.rotateInterval == 0 {
		return nil
	}
	// A part cut by the wall clock would make a file's dataset depend on
	// how fast it was read: the interval is for interfaces, as in manifests.
	if !o.live {
		return usagef("--rotate-interval needs a live interface: cut datasets from files with --flows-per-file")
	}
	if l.rotateFiles > 0 {
		return usagef("--rotate-files is for --flows-per-file alone: a rolling dataset keeps every part")
	}
	if st, err := os.Stat(o.output); err == nil {
		if !st.IsDir() {
			return usagef("-o %s: --rotate-interval writes a directory, and this is a file", o.output)
		}
		entries, _ := os.ReadDir(o.output)
		if _, err := os.Stat(filepath.Join(o.output, pipeline.ProvenanceFile)); len(entries) > 0 && errors.Is(err, fs.ErrNotExist) {
			return usagef("-o %s: not empty and not an nfdataset dataset; refusing to write parts into it", o.output)
		}
	}
	return nil
}

// flowLimit is the flow-table bound for these sets (pipeline.FlowLimit).
func (l *liveFlags) flowLimit(live bool, reqs []features.Request) int {
	p := pipeline.StreamerParams{MaxActiveFlows: l.maxActiveFlows, MemoryLimit: l.memoryBytes}
	return int(p.FlowLimit(live, reqs))
}

// sink returns the rolling or chunked sink the flags ask for, or nil.
func (l *liveFlags) sink(o *flowsOptions) (stages.Sink, error) {
	switch {
	case l.rotateInterval > 0:
		return pipeline.NewFlowsDataset(o.output, o.format, o.sources[0], l.flowsPerFile, l.rotateInterval)
	case l.flowsPerFile > 0:
		ext, err := stages.FormatExtension(o.format)
		if err != nil {
			return nil, usagef("invalid --format: %v", err)
		}
		return &chunkSink{format: o.format, path: o.output, word: strings.TrimPrefix(ext, "."), perFile: l.flowsPerFile, rotate: l.rotateFiles}, nil
	}
	return nil, nil
}

// chunkSink is NFStream's to_csv(flows_per_file=F, rotate_files=R): file
// c holds flows c·F … c·F+F−1 and is named by replacing every occurrence
// of the format's name in the path (as NFStream replaces "csv") with
// "<c>.<name>", or "<c mod R>.<name>", which overwrites older chunks. No
// file is written without flows. Each file appears under its name only
// once complete (stages.CreateOutput); Abort drops the one being written.
type chunkSink struct {
	format, path, word string
	perFile, rotate    int64
	schema             features.Schema
	cur                stages.Sink
	rows, chunk        int64
}

func (c *chunkSink) Begin(s features.Schema) error { c.schema = s; return nil }

func (c *chunkSink) name(chunk int64) string {
	if c.rotate > 0 {
		chunk %= c.rotate
	}
	return strings.ReplaceAll(c.path, c.word, fmt.Sprintf("%d.%s", chunk, c.word))
}

func (c *chunkSink) Write(rec features.Record) error {
	if c.cur == nil {
		s, err := stages.NewSink(c.format, c.name(c.chunk), stages.SinkOptions{})
		if err != nil {
			return err
		}
		if err := s.Begin(c.schema); err != nil {
			s.Abort()
			return err
		}
		c.cur, c.rows = s, 0
	}
	if err := c.cur.Write(rec); err != nil {
		return err
	}
	if c.rows++; c.rows == c.perFile {
		return c.finish()
	}
	return nil
}

func (c *chunkSink) finish() error {
	s := c.cur
	c.cur = nil
	c.chunk++
	return s.Close()
}

// Flush passes a live tick's flush on to the file being written.
func (c *chunkSink) Flush() error {
	if fl, ok := c.cur.(stages.Flusher); ok {
		return fl.Flush()
	}
	return nil
}

func (c *chunkSink) Close() error {
	if c.cur == nil {
		return nil
	}
	return c.finish()
}

func (c *chunkSink) Abort() error {
	if c.cur == nil {
		return nil
	}
	s := c.cur
	c.cur = nil
	return s.Abort()
}
