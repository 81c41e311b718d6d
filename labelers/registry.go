package labelers

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/nfdataset/nfdataset/features"
)

// Labeler adds one label column to finished flow records. Label is called
// concurrently from every job of a build, so implementations keep their
// settings read-only after Build and count with atomics.
type Labeler interface {
	// Name is the labeler's kind ("rules", "csv", "application").
	Name() string
	// Version changes whenever the same settings could label a flow differently.
	Version() int
	// Column is the name of the string column the labeler writes.
	Column() string
	// Label returns the label of one flow. v.Flow may be nil (records read
	// back from a file); labelers then read every value from v.Record.
	Label(v features.View) string
	// Report summarises what the labeler did so far, for dataset.json: only
	// strings, int64s, float64s, bools, []any and map[string]any, so the
	// result encodes to the same JSON whatever the run.
	Report() map[string]any
}

// Table is one [[label]] table of a manifest: the raw decoded TOML (as
// BurntSushi/toml decodes into map[string]any: strings, int64, float64,
// bool, time values, []any, []map[string]any and map[string]any) and the
// 1-based line of its [[label]] header (0 when unknown).
type Table struct {
	Line int
	Data map[string]any
}

// Error points at the manifest key that is wrong. Key is "label[1].rule[2].dst"
// (indices 0-based, in manifest order); Line is the line of the [[label]]
// table, or 0 when unknown. The pipeline turns it into its ManifestError.
type Error struct {
	Line int
	Key  string
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %v", e.Line, e.Key, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Key, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Spec registers one kind of labeler.
type Spec struct {
	Kind    string
	Version int
	Doc     string
	// Keys lists every key the kind accepts besides the common ones
	// (kind, column, default), with a one-line doc each; docs/labelers.md
	// documents the same keys and a test checks they agree.
	Keys []Key
	// Example is a complete [[label]] table, checked by the registry test.
	Example string
	// New builds a labeler from its table. It must reject unknown keys
	// (Config.Done does) and name the key in its errors.
	New func(c *Config) (Labeler, error)
}

// Key documents one key of a labeler table (or of a nested table when the
// name contains a dot, e.g. "rule.dst").
type Key struct {
	Name string
	Doc  string
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Spec{}
)

// Register adds a labeler kind; it panics on a duplicate (a programming
// error caught at init).
func Register(s Spec) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[s.Kind]; dup {
		panic("labelers: duplicate labeler kind " + s.Kind)
	}
	registry[s.Kind] = s
}

// Lookup returns the spec of a registered kind.
func Lookup(kind string) (Spec, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	s, ok := registry[kind]
	return s, ok
}

// All returns every registered spec sorted by kind.
func All() []Spec {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]Spec, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

func kinds() string {
	var names []string
	for _, s := range All() {
		names = append(names, s.Kind)
	}
	return strings.Join(names, ", ")
}

// Build makes the labelers of a manifest's [[label]] tables, in order.
// Relative paths inside the tables are resolved against manifestDir. Every
// error is an *Error naming the table, key and line. Two labelers may not
// write the same column.
func Build(tables []Table, manifestDir string) ([]Labeler, error) {
	out := make([]Labeler, 0, len(tables))
	columns := map[string]int{}
	for i, t := range tables {
		prefix := fmt.Sprintf("label[%d]", i)
		c := &Config{prefix: prefix, line: t.Line, data: t.Data, used: map[string]bool{}, Dir: manifestDir}
		kind, err := c.String("kind", "")
		if err != nil {
			return nil, err
		}
		if kind == "" {
			return nil, c.Errorf("kind", "missing (one of %s)", kinds())
		}
		spec, ok := Lookup(kind)
		if !ok {
			return nil, c.Errorf("kind", "unknown labeler kind %q (one of %s)", kind, kinds())
		}
		col, err := c.String("column", "label")
		if err != nil {
			return nil, err
		}
		if col == "" {
			return nil, c.Errorf("column", "must not be empty")
		}
		if j, dup := columns[col]; dup {
			return nil, c.Errorf("column", "label[%d] already writes column %q", j, col)
		}
		columns[col] = i
		c.Column = col
		if c.Default, err = c.String("default", ""); err != nil {
			return nil, err
		}
		l, err := spec.New(c)
		if err != nil {
			var le *Error
			if errors.As(err, &le) {
				return nil, err
			}
			return nil, &Error{Line: t.Line, Key: prefix, Err: err}
		}
		if err := c.Done(); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// Schema returns base followed by one string column per labeler. It fails
// when a label column has the name of a feature column.
func Schema(base features.Schema, ls []Labeler) (features.Schema, error) {
	out := append(features.Schema(nil), base...)
	for _, l := range ls {
		if out.Index(l.Column()) >= 0 {
			return nil, fmt.Errorf("labeler %s writes column %q, which already exists", l.Name(), l.Column())
		}
		out = append(out, features.Column{Name: l.Column(), Kind: features.String, Doc: "label written by the " + l.Name() + " labeler"})
	}
	return out, nil
}

// Apply runs the labelers in order on one record and returns the record with
// their columns appended. schema must come from Schema(v.Schema, ls); each
// labeler sees the columns of the labelers before it.
func Apply(ls []Labeler, schema features.Schema, v features.View) features.Record {
	n := len(v.Record)
	rec := make(features.Record, n, n+len(ls))
	copy(rec, v.Record)
	for i, l := range ls {
		view := features.View{Schema: schema[:n+i], Record: rec, Flow: v.Flow}
		rec = append(rec, features.StringValue(l.Label(view)))
	}
	return rec
}
