package main

import (
	"io"
	"os"
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
