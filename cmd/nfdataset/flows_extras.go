package main

import (
	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/stages"
	"github.com/nfdataset/nfdataset/stages/bpf"
)

// compileFilter compiles a BPF expression with the pure-Go compiler.
func compileFilter(expr string) (stages.Matcher, error) {
	return bpf.Compile(expr)
}

// parsePlugin reads --plugin NAME[:key=value,…].
func parsePlugin(s string) (features.Request, error) {
	return features.ParsePluginFlag(s)
}
