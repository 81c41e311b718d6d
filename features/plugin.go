package features

import (
	"fmt"
	"regexp"

	"github.com/nfdataset/nfdataset/meter"
)

// This file is the plugin API: NFStream's NFPlugin for Go users.
//
// An NFStream plugin is a Python object with keyword parameters and three
// hooks (on_init, on_update, on_expire) that store values on flow.udps. Here
// a plugin is a Go value built from its options, with the same three hooks
// and a typed per-flow state S that the framework allocates once per flow
// slot and recycles, so a plugin costs no allocation per packet. Its columns
// are declared up front and appear as udps.<name>, after every built-in
// column, in the order the user listed the plugins.
//
//	type sizeCounter struct {
//		features.PluginHooks[int64] // no-op hooks; override the ones you need
//		size uint16
//	}
//
//	func (c sizeCounter) Columns() []features.Column {
//		return []features.Column{{Name: "packet_with_custom_size", Kind: features.Int}}
//	}
//	func (c sizeCounter) OnInit(p *meter.Packet, f *meter.Flow, n *int64)   { c.OnUpdate(p, f, n) }
//	func (c sizeCounter) OnUpdate(p *meter.Packet, _ *meter.Flow, n *int64) {
//		if p.RawSize == c.size {
//			*n++
//		}
//	}
//	func (c sizeCounter) OnExpire(_ *meter.Flow, n *int64, out []features.Value) {
//		out[0] = features.IntValue(*n)
//	}
//
// and, in an init function, RegisterPlugin(PluginSpec[int64]{Name: "size_counter", …}).
// docs/plugins.md walks through it.

// PluginRank is the Rank of every plugin set: after the built-in sets, and
// equal for all plugins so that they keep the order the user gave.
const PluginRank = 100

// PluginPrefix is prepended to a plugin's name to form its feature-set name
// ("ja4" → "plugin.ja4"), and UDPSPrefix to its column names ("ja4" →
// "udps.ja4", NFStream's flow.udps attributes).
const (
	PluginPrefix = "plugin."
	UDPSPrefix   = "udps."
)

// Plugin is NFStream's NFPlugin with typed per-flow state S.
//
// The hooks run in the meter goroutine, for one flow at a time, in the order
// the plugins were requested; they must not keep p, its bytes or f after
// returning. S is zeroed before OnInit (or reset, see PluginStateResetter).
type Plugin[S any] interface {
	// Columns lists the plugin's columns for the options it was built with,
	// names without the "udps." prefix. Every plugin column is nullable.
	Columns() []Column
	// OnInit sees the first packet of a flow; f's counters include it.
	OnInit(p *meter.Packet, f *meter.Flow, s *S)
	// OnUpdate sees every later packet, after f's counters were updated.
	OnUpdate(p *meter.Packet, f *meter.Flow, s *S)
	// OnExpire runs once when the flow ends, whatever the reason, and writes
	// the flow's values: out has one cell per column, all Null on entry
	// (NFStream's None, an empty CSV field).
	OnExpire(f *meter.Flow, s *S, out []Value)
}

// PluginStateResetter is implemented by a state type whose pointer can
// clear itself for the next flow while keeping its buffers (slices, maps);
// states without it are set to their zero value.
type PluginStateResetter interface {
	Reset()
}

// PluginHooks provides no-op hooks. Embed it in a plugin type and define
// only the hooks that plugin needs.
type PluginHooks[S any] struct{}

// OnInit does nothing.
func (PluginHooks[S]) OnInit(*meter.Packet, *meter.Flow, *S) {}

// OnUpdate does nothing.
func (PluginHooks[S]) OnUpdate(*meter.Packet, *meter.Flow, *S) {}

// OnExpire leaves every column null.
func (PluginHooks[S]) OnExpire(*meter.Flow, *S, []Value) {}

// PluginSpec registers a plugin.
type PluginSpec[S any] struct {
	// Name is the plugin's name: lower-case letters, digits and "_",
	// starting with a letter. The feature set is "plugin."+Name.
	Name string
	// Version must be bumped whenever the plugin's output changes.
	Version int
	// Doc is a one-line description shown by `nfdataset features`.
	Doc string
	// Options are the plugin's parameters (NFStream's constructor keyword
	// arguments) with defaults; the Default's Go type (int64, float64, bool
	// or string) is the option's type on the command line.
	Options []Option
	// New builds the plugin from resolved options (every declared option is
	// present). env holds the streamer parameters.
	New func(opts Options, env Env) (Plugin[S], error)
}

var pluginNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// RegisterPlugin registers a plugin as the feature set "plugin."+spec.Name
// with Rank PluginRank. Like Register, it is meant for init functions and
// panics on an invalid or duplicate name.
func RegisterPlugin[S any](spec PluginSpec[S]) {
	if !pluginNameRE.MatchString(spec.Name) {
		panic(fmt.Sprintf("features: invalid plugin name %q (want lower-case letters, digits and _)", spec.Name))
	}
	if spec.New == nil {
		panic("features: plugin " + spec.Name + " has no New function")
	}
	for _, o := range spec.Options {
		switch o.Default.(type) {
		case int64, float64, bool, string:
		default:
			panic(fmt.Sprintf("features: plugin %s: option %s: default must be int64, float64, bool or string, got %T", spec.Name, o.Name, o.Default))
		}
	}
	name := spec.Name
	newPlugin := spec.New
	Register(Spec{
		Name:    PluginPrefix + name,
		Version: spec.Version,
		Doc:     spec.Doc,
		Rank:    PluginRank,
		Options: spec.Options,
		New: func(opts Options, env Env) (Set, error) {
			// The extractor already names the set (plugin.NAME) when
			// this fails, so the error goes back unwrapped.
			p, err := newPlugin(opts, env)
			if err != nil {
				return nil, err
			}
			return newPluginSet(name, p)
		},
	})
}

// IsPlugin reports whether a feature-set name is a plugin's.
func IsPlugin(setName string) bool {
	return len(setName) > len(PluginPrefix) && setName[:len(PluginPrefix)] == PluginPrefix
}

// ForceExpire ends f right after every hook ran for the current packet:
// NFStream's `flow.expiration_id = -1`. The flow keeps expiration_id -1 and
// includes the packet. It only has an effect from OnInit or OnUpdate.
func ForceExpire(f *meter.Flow) { f.ExpirationID = meter.ExpireCustom }

// NullValue is an absent cell: NFStream's None.
func NullValue() Value { return Value{Null: true} }

// pluginFlow is what a plugin keeps in meter.Flow.Ext: the typed state and
// the output cells, both reused when the meter recycles the flow.
type pluginFlow[S any] struct {
	state S
	out   []Value
}

// pluginSet adapts a Plugin to the Set interface.
type pluginSet[S any] struct {
	slot
	name    string
	plugin  Plugin[S]
	columns Schema
}

func newPluginSet[S any](name string, p Plugin[S]) (*pluginSet[S], error) {
	cols := p.Columns()
	schema := make(Schema, len(cols))
	seen := map[string]bool{}
	for i, c := range cols {
		if c.Name == "" {
			return nil, fmt.Errorf("plugin %s: column %d has no name", name, i)
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("plugin %s: column %q declared twice", name, c.Name)
		}
		seen[c.Name] = true
		c.Name = UDPSPrefix + c.Name
		// Any udps attribute may be None in NFStream.
		c.Nullable = true
		schema[i] = c
	}
	return &pluginSet[S]{name: name, plugin: p, columns: schema}, nil
}

func (s *pluginSet[S]) Columns() Schema { return s.columns }

func (s *pluginSet[S]) flowState(f *meter.Flow) *pluginFlow[S] {
	st, _ := f.Ext[s.index].(*pluginFlow[S])
	return st
}

func (s *pluginSet[S]) Init(p *meter.Packet, f *meter.Flow) {
	st := s.flowState(f)
	if st == nil {
		st = &pluginFlow[S]{out: make([]Value, len(s.columns))}
		f.Ext[s.index] = st
	} else if r, ok := any(&st.state).(PluginStateResetter); ok {
		r.Reset()
	} else {
		var zero S
		st.state = zero
	}
	s.plugin.OnInit(p, f, &st.state)
}

func (s *pluginSet[S]) Update(p *meter.Packet, f *meter.Flow) {
	s.plugin.OnUpdate(p, f, &s.flowState(f).state)
}

func (s *pluginSet[S]) Expire(f *meter.Flow) {
	st := s.flowState(f)
	for i := range st.out {
		st.out[i] = Value{Null: true}
	}
	s.plugin.OnExpire(f, &st.state, st.out)
}

// Fill copies the cells OnExpire wrote. Lists stay owned by the state until
// the flow is recycled; the Extractor copies them into the record.
func (s *pluginSet[S]) Fill(_ int64, f *meter.Flow, dst []Value) {
	copy(dst, s.flowState(f).out)
}
