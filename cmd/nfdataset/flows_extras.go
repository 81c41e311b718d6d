package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/pipeline"
	"github.com/nfdataset/nfdataset/stages"
	"github.com/nfdataset/nfdataset/stages/bpf"
)

// compileFilter compiles a BPF expression with the pure-Go compiler.
func compileFilter(expr string) (stages.Matcher, error) {
	return bpf.Compile(expr)
}

// kernelFilter is the --bpf-filter for the capture socket (nil: none).
func kernelFilter(m stages.Matcher) func(uint32) ([]stages.KernelInsn, error) {
	f, ok := m.(*bpf.Filter)
	if !ok || f == nil {
		return nil
	}
	return pipeline.KernelFilter(f)
}

// parsePlugin reads --plugin NAME[:key=value,…].
func parsePlugin(s string) (features.Request, error) {
	return features.ParsePluginFlag(s)
}

// framesFormat is the stream the Python package reads (stages.FramesSink).
// It is a format of this command only, not of manifests: datasets are
// Parquet, CSV or JSON lines.
const framesFormat = "frames"

func (o *flowsOptions) newSink() (stages.Sink, error) {
	if s, err := o.liveOpts.sink(o); s != nil || err != nil {
		return s, err
	}
	if o.format != framesFormat {
		return stages.NewSink(o.format, o.output, stages.SinkOptions{})
	}
	out, err := stages.CreateOutput(o.output)
	if err != nil {
		return nil, err
	}
	return stages.NewFramesSink(out, o.frameRows), nil
}

// startFlowsReport sets up --performance-report and --report-json for a
// live capture; the JSON file is closed when the process ends.
func startFlowsReport(o *flowsOptions, job *stages.Job, src stages.Source, stderr io.Writer) error {
	var text, jsonl io.Writer
	if o.performanceReport > 0 {
		text = stderr
	}
	if o.reportJSON != "" {
		f, err := os.Create(o.reportJSON)
		if err != nil {
			return err
		}
		jsonl = f
	}
	rep := pipeline.NewReporter("", o.sources[0], src, time.Duration(o.performanceReport)*time.Second, text, jsonl)
	job.OnTick = rep.OnTick
	return nil
}

// resolveFormat settles --format: given, or inferred from the -o extension,
// and refuses binary output to a terminal, where it only garbles the screen.
func (o *flowsOptions) resolveFormat() error {
	if o.format == "" {
		f, err := formatFromPath(o.output)
		if err != nil {
			return err
		}
		o.format = f
	} else if _, err := stages.FormatExtension(o.format); err != nil && o.format != framesFormat {
		return usagef("invalid --format: %v", err)
	}
	if (o.format == "parquet" || o.format == framesFormat) && o.output == "-" && isTTY(os.Stdout) {
		return usagef("refusing to write %s (binary) to a terminal: redirect standard output or give -o FILE", o.format)
	}
	return nil
}

// formatFromPath infers the output format of -o PATH without --format.
func formatFromPath(path string) (string, error) {
	if path == "-" {
		return "csv", nil
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return "csv", nil // a device or a pipe: no extension to go by
	}
	ext := strings.ToLower(filepath.Ext(path))
	for _, f := range stages.SinkFormats() {
		if e, err := stages.FormatExtension(f); err == nil && e == ext {
			return f, nil
		}
	}
	if ext == "" {
		return "csv", nil
	}
	return "", usagef("cannot infer the output format of -o %s from its extension %q: name it .csv, .jsonl or .parquet, or give --format", path, ext)
}

// refuseOutputIsInput stops flows -o CAPTURE CAPTURE from replacing the
// capture with its own flows; os.SameFile sees through symbolic and hard
// links.
func refuseOutputIsInput(output, input string) error {
	if output == "-" {
		return nil
	}
	ost, err := os.Stat(output)
	if err != nil {
		return nil // not there yet: cannot be an input
	}
	ist, err := os.Stat(input)
	if err != nil {
		return nil
	}
	if os.SameFile(ost, ist) {
		return usagef("refusing -o %s: it is the input %s (the capture would be overwritten)", output, input)
	}
	return nil
}
