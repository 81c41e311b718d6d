package pipeline

import (
	"github.com/nfdataset/nfdataset/stages"
	"github.com/nfdataset/nfdataset/stages/bpf"
)

// checkBPF reports whether a filter can be compiled.
func checkBPF(expr string) error {
	_, err := compileBPF(expr)
	return err
}

// compileBPF compiles a BPF filter for stages.Job; "" means no filter.
func compileBPF(expr string) (stages.Matcher, error) {
	if expr == "" {
		return nil, nil
	}
	f, err := bpf.Compile(expr)
	if err != nil {
		return nil, err
	}
	return f, nil
}
