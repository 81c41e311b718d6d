package features

import (
	"fmt"
	"sort"
	"sync"

	"github.com/nfdataset/nfdataset/meter"
)

// Env carries the streamer parameters every set may depend on.
type Env struct {
	AccountingMode   int  // 0 raw, 1 IP, 2 transport, 3 payload
	DecodeTunnels    bool // tunnel_id exists only when true
	IdleTimeoutSec   uint64
	ActiveTimeoutSec uint64
}

// Option documents one option of a feature set.
type Option struct {
	Name    string
	Default any // int64, float64, bool or string
	Doc     string
}

// Options are the option values given to a set (manifest table or
// command-line flags); missing keys take the declared default.
type Options map[string]any

// Set is an instantiated feature set: meter hooks that compute its state and
// a method that writes its columns for a finished flow.
type Set interface {
	meter.Hook
	// Columns is the set's schema for the options it was built with.
	Columns() Schema
	// Fill writes the set's values for f into dst (len(dst) == len(Columns())).
	// id is the flow id the streamer assigned.
	Fill(id int64, f *meter.Flow, dst []Value)
}

// Spec registers a feature set.
type Spec struct {
	Name    string
	Version int
	Doc     string
	// Rank orders built-in sets in NFStream's column order (base 0, stats
	// 10, splt 20, dpi 30); plugins use 100 and keep the order given.
	Rank    int
	Options []Option
	New     func(opts Options, env Env) (Set, error)
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Spec{}
)

// Register adds a feature set; it panics on a duplicate name (a programming
// error caught at init).
func Register(s Spec) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[s.Name]; dup {
		panic("features: duplicate feature set " + s.Name)
	}
	registry[s.Name] = s
}

// Lookup returns the spec of a registered set.
func Lookup(name string) (Spec, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	s, ok := registry[name]
	return s, ok
}

// All returns every registered spec ordered by rank, then name.
func All() []Spec {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]Spec, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Rank != out[j].Rank {
			return out[i].Rank < out[j].Rank
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Resolve fills defaults and rejects unknown options.
func (s Spec) Resolve(opts Options) (Options, error) {
	out := Options{}
	known := map[string]bool{}
	for _, o := range s.Options {
		known[o.Name] = true
		out[o.Name] = o.Default
	}
	for k, v := range opts {
		if !known[k] {
			return nil, fmt.Errorf("feature set %s: unknown option %q", s.Name, k)
		}
		out[k] = v
	}
	return out, nil
}

// Int reads an integer option.
func (o Options) Int(name string) (int64, error) {
	switch v := o[name].(type) {
	case int64:
		return v, nil
	case int:
		return int64(v), nil
	case float64:
		if v == float64(int64(v)) {
			return int64(v), nil
		}
	}
	return 0, fmt.Errorf("option %s: want an integer, got %v", name, o[name])
}

// Bool reads a boolean option.
func (o Options) Bool(name string) (bool, error) {
	if v, ok := o[name].(bool); ok {
		return v, nil
	}
	return false, fmt.Errorf("option %s: want true or false, got %v", name, o[name])
}

// String reads a string option.
func (o Options) String(name string) (string, error) {
	if v, ok := o[name].(string); ok {
		return v, nil
	}
	return "", fmt.Errorf("option %s: want a string, got %v", name, o[name])
}

// slot is embedded by sets that keep per-flow state in meter.Flow.Ext.
type slot struct{ index int }

func (s *slot) SetSlot(i int) { s.index = i }
