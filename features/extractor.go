package features

import (
	"fmt"
	"sort"

	"github.com/nfdataset/nfdataset/meter"
)

// Request asks for one feature set with its options.
type Request struct {
	Name    string
	Options Options
}

// Instance is one set of an Extractor with its resolved options.
type Instance struct {
	Spec    Spec
	Options Options
	Set     Set
	offset  int
	width   int
}

// Extractor turns finished flows into records for a list of feature sets,
// columns in NFStream's order whatever order the sets were asked in.
type Extractor struct {
	inst   []*Instance
	schema Schema
}

// NewExtractor builds the sets. Built-in sets are ordered by rank; sets of
// equal rank (plugins) keep the order given.
func NewExtractor(reqs []Request, env Env) (*Extractor, error) {
	e := &Extractor{}
	seen := map[string]bool{}
	for _, r := range reqs {
		if seen[r.Name] {
			return nil, fmt.Errorf("feature set %q requested twice", r.Name)
		}
		seen[r.Name] = true
		spec, ok := Lookup(r.Name)
		if !ok {
			return nil, fmt.Errorf("unknown feature set %q (see `nfdataset features`)", r.Name)
		}
		opts, err := spec.Resolve(r.Options)
		if err != nil {
			return nil, err
		}
		set, err := spec.New(opts, env)
		if err != nil {
			return nil, fmt.Errorf("feature set %s: %w", r.Name, err)
		}
		e.inst = append(e.inst, &Instance{Spec: spec, Options: opts, Set: set})
	}
	sort.SliceStable(e.inst, func(i, j int) bool { return e.inst[i].Spec.Rank < e.inst[j].Spec.Rank })
	names := map[string]string{}
	for _, in := range e.inst {
		cols := in.Set.Columns()
		in.offset, in.width = len(e.schema), len(cols)
		for _, c := range cols {
			if prev, dup := names[c.Name]; dup {
				return nil, fmt.Errorf("column %q produced by both %s and %s", c.Name, prev, in.Spec.Name)
			}
			names[c.Name] = in.Spec.Name
		}
		e.schema = append(e.schema, cols...)
	}
	return e, nil
}

// Hooks returns the meter hooks in column order.
func (e *Extractor) Hooks() []meter.Hook {
	out := make([]meter.Hook, len(e.inst))
	for i, in := range e.inst {
		out[i] = in.Set
	}
	return out
}

// Schema is the record layout.
func (e *Extractor) Schema() Schema { return e.schema }

// Instances lists the sets in column order.
func (e *Extractor) Instances() []*Instance { return e.inst }

// Record builds the record of a finished flow. It owns its memory: lists
// are copied, so the record outlives the flow.
func (e *Extractor) Record(id int64, f *meter.Flow) Record {
	rec := make(Record, len(e.schema))
	for _, in := range e.inst {
		in.Set.Fill(id, f, rec[in.offset:in.offset+in.width])
	}
	rec.OwnLists()
	return rec
}

// OwnLists gives every list value of r its own copy, for a record filled by
// RecordInto (whose lists are the flow's) that must outlive the flow.
func (r Record) OwnLists() {
	for i := range r {
		if l := r[i].List; l != nil {
			r[i].List = append([]int64(nil), l...)
		}
	}
}

// RecordInto fills dst (grown as needed) with the record of a finished flow
// and returns it. Unlike Record it shares list values with the flow's
// state: the result is valid only until the flow is recycled, which is
// enough for a sink that writes synchronously and keeps nothing.
func (e *Extractor) RecordInto(dst Record, id int64, f *meter.Flow) Record {
	if cap(dst) < len(e.schema) {
		dst = make(Record, len(e.schema))
	}
	dst = dst[:len(e.schema)]
	for _, in := range e.inst {
		in.Set.Fill(id, f, dst[in.offset:in.offset+in.width])
	}
	return dst
}
