package main

import (
	"flag"
	"strings"

	"github.com/nfdataset/nfdataset/stages"
	"github.com/nfdataset/nfdataset/stages/anon"
)

// anonFlags holds the --anonymize-* flags of flows (the manifest's
// [output] anonymize table).
type anonFlags struct {
	columns string
	cfg     anon.Config
}

func (a *anonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.columns, "anonymize-columns", "", "comma-separated columns to anonymise (e.g. src_ip,dst_ip,src_mac,dst_mac)")
	fs.StringVar(&a.cfg.Method, "anonymize-method", "", "keyed-hash (NFStream's BLAKE2b form, the default) or cryptopan (prefix-preserving IP/MAC)")
	fs.StringVar(&a.cfg.KeyFile, "anonymize-key-file", "", "file holding the raw key: 64 bytes for keyed-hash, 32 for cryptopan")
	fs.StringVar(&a.cfg.KeyEnv, "anonymize-key-env", "", "environment variable holding the key in hex")
	fs.StringVar(&a.cfg.MAC, "anonymize-mac", "", "MAC addresses: hash-oui (the default: anonymise all of it) or keep-oui")
}

// prepare checks the flags and loads the key, before any input is read.
func (a *anonFlags) prepare() error {
	a.cfg.Columns = nil
	for c := range strings.SplitSeq(a.columns, ",") {
		if c = strings.TrimSpace(c); c != "" {
			a.cfg.Columns = append(a.cfg.Columns, c)
		}
	}
	if err := a.cfg.Normalize(); err != nil {
		return usagef("--anonymize-*: %v", err)
	}
	if !a.cfg.Enabled() {
		return nil
	}
	if err := a.cfg.LoadKey(); err != nil {
		return usagef("--anonymize-key-*: %v", err)
	}
	return nil
}

func (a *anonFlags) wrap(sink stages.Sink) (stages.Sink, error) {
	if !a.cfg.Enabled() {
		return sink, nil
	}
	return stages.AnonymizeSink(sink, a.cfg)
}
