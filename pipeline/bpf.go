package pipeline

import (
	"fmt"

	"github.com/nfdataset/nfdataset/stages"
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
	return nil, fmt.Errorf("BPF filters are %w in manifests (the compiler in stages/bpf is not available in this build)", errNotSupported)
}
