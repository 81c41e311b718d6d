package pipeline

import (
	"errors"
	"fmt"
	"github.com/nfdataset/nfdataset/stages/anon"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/labelers"
	"github.com/nfdataset/nfdataset/stages"
)

// Manifest is a loaded, validated manifest. Values are as written plus
// defaults; ${VAR}s in paths are expanded only when inputs are resolved
// (Plan), so the manifest itself stays independent of the environment.
type Manifest struct {
	File string // path as given to Load
	Dir  string // absolute directory of the manifest: relative paths start here

	Dataset  DatasetInfo
	Inputs   []Input
	Streamer StreamerParams
	Features FeatureConfig
	Labels   []labelers.Table
	Output   OutputConfig

	lines lineIndex
}

// DatasetInfo is the [dataset] table.
type DatasetInfo struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	Description string `json:"description"`
	// The keys below describe a published dataset (croissant.json and the
	// dataset card); omitted when unset, so datasets that set none keep
	// their bytes.
	License  string   `json:"license,omitempty"`  // SPDX license expression
	Citation string   `json:"citation,omitempty"` // BibTeX
	Creators []string `json:"creators,omitempty"`
	URL      string   `json:"url,omitempty"`
	Card     string   `json:"card,omitempty"` // authors' prose for README.md, relative to the manifest
}

// Input is one [[input]] table.
type Input struct {
	Key         string     // "input[0]", for errors
	Line        int        // of the [[input]] header
	Path        string     // file or glob, as written (${VAR}s unexpanded)
	Files       []string   // several files read as one capture, as written
	Name        string     // as written; "" means the file name
	SHA256      string     // optional pin of the single file, lower-case hex
	DedupWindow int64      // editcap -D: drop a frame identical to one of the previous N
	Reorder     bool       // reordercap: restore timestamp order before metering
	Live        *LiveInput // interface = "…": captured live instead of files
}

// StreamerParams is the [streamer] table: NFStreamer's metering parameters
// with NFStream's names and defaults.
type StreamerParams struct {
	DecodeTunnels  bool   `json:"decode_tunnels"`
	BPFFilter      string `json:"bpf_filter"`
	SnapshotLength int64  `json:"snapshot_length"`
	IdleTimeout    int64  `json:"idle_timeout"`
	ActiveTimeout  int64  `json:"active_timeout"`
	AccountingMode int64  `json:"accounting_mode"`
	MaxNFlows      int64  `json:"max_nflows"`
	NMeters        int64  `json:"n_meters"`
	// Link types NFStream ignores, decoded on request; omitted when off so
	// that existing datasets keep their provenance and cache keys.
	LinuxSLL2 bool `json:"linux_sll2,omitempty"`
	PPI       bool `json:"ppi,omitempty"`
	// MaxActiveFlows and MemoryLimit (bytes) bound the flow table
	// (FlowLimit); 0: unset. Omitted when unset, so that the cache keys of
	// manifests without them stay what they were.
	MaxActiveFlows int64 `json:"max_active_flows,omitempty"`
	MemoryLimit    int64 `json:"memory_limit,omitempty"`
}

// DefaultStreamerParams returns NFStreamer's defaults.
func DefaultStreamerParams() StreamerParams {
	return StreamerParams{DecodeTunnels: true, SnapshotLength: 1536, IdleTimeout: 120, ActiveTimeout: 1800}
}

// Stages converts the parameters for stages.Job.
func (p StreamerParams) Stages() stages.Streamer {
	s := stages.DefaultStreamer()
	s.DecodeTunnels = p.DecodeTunnels
	s.LinuxSLL2, s.PPI = p.LinuxSLL2, p.PPI
	s.IdleTimeoutSec = uint64(p.IdleTimeout)
	s.ActiveTimeoutSec = uint64(p.ActiveTimeout)
	s.AccountingMode = int(p.AccountingMode)
	s.MaxFlows = p.MaxNFlows
	s.NMeters = int(p.NMeters)
	return s
}

// FeatureConfig is the [features] table.
type FeatureConfig struct {
	// Requests lists the sets in the order written, base first, then
	// plugins, each with its options as written (defaults are filled by
	// the extractor; Resolved lists them).
	Requests []features.Request
	// Derived holds the [[features.derived]] tables, kept raw, and Defs
	// the same decoded for features.CompileDerived.
	Derived []labelers.Table
	Defs    []features.DerivedDef
}

// OutputConfig is the [output] table.
type OutputConfig struct {
	Path        string   // as written, relative to the manifest
	Format      string   // parquet, csv or jsonl
	Compression string   // parquet only
	RowsPerFile int64    // 0: a single file
	Columns     []string // keep only these, in this order
	Drop        []string // or drop these
	// RotateInterval (rotate_interval) also closes a part this long after
	// its first row; live inputs only.
	RotateInterval time.Duration
	// Anonymize is [output] anonymize; KeyFile is as written (relative to
	// the manifest) and the key is read at build time.
	Anonymize anon.Config
}

// DefaultRowsPerFile is [output].rows_per_file's default.
const DefaultRowsPerFile = 1_000_000

// SourceColumn is the column every dataset adds after the feature columns:
// the name of the input a flow comes from.
const SourceColumn = "source"

// Load reads and validates a manifest. Every problem is a *ManifestError
// (joined when there are several) naming the key and its line.
func Load(path string) (*Manifest, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		// The error names the file already; PathError would name it twice.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("cannot %s it: %w", pe.Op, pe.Err)
		}
		return nil, &ManifestError{File: path, Err: err}
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, &ManifestError{File: path, Err: err}
	}
	return Parse(path, dir, src)
}

// Parse validates manifest text; file names it in errors and dir is the
// directory relative paths start from.
func Parse(file, dir string, src []byte) (*Manifest, error) {
	var doc map[string]any
	if _, err := toml.Decode(string(src), &doc); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &ManifestError{File: file, Line: pe.Position.Line, Err: fmt.Errorf("syntax error: %s", pe.Message)}
		}
		return nil, &ManifestError{File: file, Err: fmt.Errorf("syntax error: %w", err)}
	}
	d := &decoder{file: file, lines: indexLines(string(src))}
	m := &Manifest{File: file, Dir: dir, lines: d.lines}
	root := d.table("", doc)
	m.decodeDataset(root)
	m.decodeInputs(root)
	m.decodeStreamer(root)
	m.decodeFeatures(root)
	m.decodeLabels(root)
	m.decodeOutput(root)
	root.done(docKeys("")...)
	if err := d.err(); err != nil {
		return nil, err
	}
	// Semantic checks that need the registries: feature options, labelers,
	// the output columns.
	if _, err := m.columns(d); err != nil {
		d.errs = append(d.errs, err)
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Manifest) decodeDataset(root *table) {
	t := root.sub("dataset")
	if t == nil {
		if _, present := root.m["dataset"]; !present {
			root.d.errorf("dataset", "missing [dataset] table (name and version)")
		}
		return
	}
	m.Dataset.Name = t.str("name", "")
	m.Dataset.Version = t.str("version", "")
	m.Dataset.Description = t.str("description", "")
	m.Dataset.License = t.str("license", "")
	m.Dataset.Citation = t.str("citation", "")
	m.Dataset.Creators, _ = t.strings("creators")
	m.Dataset.URL = t.str("url", "")
	m.Dataset.Card = t.str("card", "")
	if l := m.Dataset.License; l != "" && !spdxExpr.MatchString(l) {
		t.d.errorf("dataset.license", "want an SPDX license identifier or expression (e.g. \"CC-BY-4.0\"), got %q", l)
	}
	if u := m.Dataset.URL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		t.d.errorf("dataset.url", "want an http(s):// URL, got %q", u)
	}
	if c := m.Dataset.Card; c != "" {
		if filepath.IsAbs(c) {
			t.d.errorf("dataset.card", "want a path relative to the manifest, got %q", c)
		} else if _, err := os.Stat(filepath.Join(m.Dir, c)); err != nil {
			t.d.errorf("dataset.card", "%v", err)
		}
	}
	if m.Dataset.Name == "" {
		t.d.errorf("dataset.name", "missing: every dataset has a name")
	}
	t.done(docKeys("dataset")...)
}

// spdxExpr accepts SPDX identifiers joined by AND, OR and WITH, with
// parentheses: the shape of an expression, not the list of licenses.
var spdxExpr = regexp.MustCompile(`^\(?[A-Za-z0-9.+-]+\)?( +(AND|OR|WITH) +\(?[A-Za-z0-9.+-]+\)?)*$`)

var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (m *Manifest) decodeInputs(root *table) {
	tabs := root.tables("input")
	if len(tabs) == 0 {
		if _, present := root.m["input"]; !present {
			root.d.errorf("input", "missing: a dataset needs at least one [[input]]")
		}
		return
	}
	for _, t := range tabs {
		in := Input{Key: t.path, Line: root.d.lines.line(t.path)}
		in.Path = t.str("path", "")
		files, hasFiles := t.strings("files")
		in.Files = files
		in.Name = t.str("name", "")
		in.SHA256 = strings.ToLower(t.str("sha256", ""))
		in.DedupWindow = t.integer("dedup_window", 0, 0, maxDedupWindow)
		in.Reorder = t.boolean("reorder", false)
		decodeLive(t, &in)
		switch {
		case in.Live != nil:
		case in.Path == "" && !hasFiles:
			t.d.errorf(t.path, "needs path (a file or glob), files (a list) or interface (live capture)")
		case in.Path != "" && hasFiles:
			t.d.errorf(t.key("files"), "give path or files, not both")
		case hasFiles && len(files) == 0:
			t.d.errorf(t.key("files"), "empty list")
		}
		for j, f := range files {
			if hasGlob(f) {
				t.d.errorf(fmt.Sprintf("%s[%d]", t.key("files"), j), "files are read in the order given: no glob patterns (%q)", f)
			}
		}
		if in.SHA256 != "" && !hexSHA256.MatchString(in.SHA256) {
			t.d.errorf(t.key("sha256"), "want 64 hexadecimal digits, got %q", in.SHA256)
		}
		if in.SHA256 != "" && hasFiles {
			t.d.errorf(t.key("sha256"), "pins a single file: use path, not files")
		}
		for _, s := range append([]string{in.Path}, files...) {
			if err := checkVars(s); err != nil {
				t.d.wrap(t.key("path"), err)
			}
		}
		t.done(docKeys("input")...)
		m.Inputs = append(m.Inputs, in)
	}
}

// maxDedupWindow is editcap's largest -D window.
const maxDedupWindow = 1_000_000

func (m *Manifest) decodeStreamer(root *table) {
	m.Streamer = DefaultStreamerParams()
	t := root.sub("streamer")
	if t == nil {
		return
	}
	s := &m.Streamer
	s.DecodeTunnels = t.boolean("decode_tunnels", s.DecodeTunnels)
	s.BPFFilter = t.str("bpf_filter", s.BPFFilter)
	s.LinuxSLL2 = t.boolean("linux_sll2", s.LinuxSLL2)
	s.PPI = t.boolean("ppi", s.PPI)
	s.SnapshotLength = t.integer("snapshot_length", s.SnapshotLength, 1, math.MaxInt32)
	const maxTimeout = math.MaxUint64 / 1000 // NFStream: value×1000 ≤ 2^64−1
	s.IdleTimeout = t.integer("idle_timeout", s.IdleTimeout, 0, maxTimeout)
	s.ActiveTimeout = t.integer("active_timeout", s.ActiveTimeout, 0, maxTimeout)
	s.AccountingMode = t.integer("accounting_mode", s.AccountingMode, 0, 3)
	s.MaxNFlows = t.integer("max_nflows", s.MaxNFlows, 0, math.MaxInt64)
	s.NMeters = t.integer("n_meters", s.NMeters, 0, 1024)
	s.MaxActiveFlows = t.integer("max_active_flows", s.MaxActiveFlows, 1, math.MaxInt32)
	if v := t.str("memory_limit", ""); v != "" {
		n, err := ParseSize(v)
		switch {
		case err != nil:
			t.d.wrap(t.key("memory_limit"), err)
		case n <= memoryReserve:
			t.d.errorf(t.key("memory_limit"), "%s leaves nothing for flows: give more than %s", v, formatSize(memoryReserve))
		}
		s.MemoryLimit = n
	}
	if s.BPFFilter != "" {
		if err := checkBPF(s.BPFFilter); err != nil {
			t.d.wrap(t.key("bpf_filter"), err)
		}
	}
	t.done(docKeys("streamer")...)
}

func (m *Manifest) decodeFeatures(root *table) {
	reqs := []features.Request{{Name: "base"}}
	t := root.sub("features")
	if t == nil {
		m.Features.Requests = reqs
		return
	}
	sets, _ := t.strings("sets")
	seen := map[string]bool{"base": true}
	for i, name := range sets {
		key := fmt.Sprintf("features.sets[%d]", i)
		if strings.HasPrefix(name, "plugin.") {
			t.d.errorf(key, "plugins go in features.plugins (%q)", strings.TrimPrefix(name, "plugin."))
			continue
		}
		if _, ok := features.Lookup(name); !ok {
			t.d.errorf(key, "unknown feature set %q (known: %s)", name, strings.Join(builtinSets(), ", "))
			continue
		}
		if seen[name] {
			if name != "base" {
				t.d.errorf(key, "feature set %q listed twice", name)
			}
			continue
		}
		seen[name] = true
		reqs = append(reqs, features.Request{Name: name})
	}
	// One options table per set, named after it.
	for _, k := range sortedKeys(t.m) {
		if k == "sets" || k == "plugins" || k == "derived" {
			continue
		}
		if _, ok := features.Lookup(k); !ok {
			continue // reported by done as an unknown key
		}
		sub := t.sub(k)
		if sub == nil {
			continue
		}
		if !seen[k] {
			t.d.errorf(sub.path, "options for feature set %q, which is not in features.sets", k)
		}
		opts := m.setOptions(sub, k)
		m.checkSet(t.d, sub.path, k, opts)
		for i := range reqs {
			if reqs[i].Name == k {
				reqs[i].Options = opts
			}
		}
	}
	if v, ok := t.get("plugins"); ok {
		arr, ok := v.([]any)
		if !ok {
			t.d.errorf("features.plugins", "want an array of plugin names or {name = …, option = …} tables, got %s", typeName(v))
		}
		for i, e := range arr {
			key := fmt.Sprintf("features.plugins[%d]", i)
			var name string
			var opts features.Options
			switch e := e.(type) {
			case string:
				name = e
			case map[string]any:
				sub := t.d.table(key, e)
				name = sub.str("name", "")
				if name == "" {
					t.d.errorf(key, "a plugin table needs name = \"…\"")
					continue
				}
				sub.used["name"] = true
				spec, ok := features.Lookup("plugin." + name)
				if !ok {
					t.d.errorf(key+".name", "unknown plugin %q (known: %s)", name, strings.Join(pluginNames(), ", "))
					continue
				}
				rest := t.d.table(key, maps(e, "name"))
				opts = m.optionsFor(rest, spec)
			default:
				t.d.errorf(key, "want a plugin name or a table, got %s", typeName(e))
				continue
			}
			if _, ok := features.Lookup("plugin." + name); !ok {
				t.d.errorf(key, "unknown plugin %q (known: %s)", name, strings.Join(pluginNames(), ", "))
				continue
			}
			if seen["plugin."+name] {
				t.d.errorf(key, "plugin %q listed twice", name)
				continue
			}
			seen["plugin."+name] = true
			m.checkSet(t.d, key, "plugin."+name, opts)
			reqs = append(reqs, features.Request{Name: "plugin." + name, Options: opts})
		}
	}
	for _, dt := range t.tables("derived") {
		m.Features.Derived = append(m.Features.Derived, labelers.Table{Line: t.d.lines.line(dt.path), Data: dt.m})
		def := features.DerivedDef{Name: dt.str("name", ""), Expr: dt.str("expr", ""), Type: dt.str("type", "")}
		for _, k := range []string{"name", "expr", "type"} {
			if _, ok := dt.m[k]; !ok {
				t.d.errorf(dt.key(k), "missing")
			}
		}
		dt.done("name", "expr", "type")
		m.Features.Defs = append(m.Features.Defs, def)
	}
	t.done(append(docKeys("features"), featureSetNames()...)...)
	m.Features.Requests = reqs
}

// checkSet builds one set with its options so that a bad value is
// reported at its table's line.
func (m *Manifest) checkSet(d *decoder, key, name string, opts features.Options) {
	if _, err := features.NewExtractor([]features.Request{{Name: name, Options: opts}}, m.Streamer.Stages().Env()); err != nil {
		d.wrap(key, err)
	}
}

// maps returns m without the given keys.
func maps(m map[string]any, drop ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !slices.Contains(drop, k) {
			out[k] = v
		}
	}
	return out
}

func (m *Manifest) setOptions(t *table, set string) features.Options {
	spec, _ := features.Lookup(set)
	return m.optionsFor(t, spec)
}

// optionsFor checks an options table against a set's declared options:
// unknown names and values of the wrong type are errors.
func (m *Manifest) optionsFor(t *table, spec features.Spec) features.Options {
	opts := features.Options{}
	var names []string
	for _, o := range spec.Options {
		names = append(names, o.Name)
	}
	for _, o := range spec.Options {
		v, ok := t.get(o.Name)
		if !ok {
			continue
		}
		if !sameKind(o.Default, v) {
			t.d.errorf(t.key(o.Name), "want %s, got %s", typeName(normalize(o.Default)), typeName(v))
			continue
		}
		opts[o.Name] = v
	}
	if len(names) == 0 {
		names = []string{"(none)"}
	}
	t.done(names...)
	return opts
}

func normalize(v any) any {
	switch v := v.(type) {
	case int:
		return int64(v)
	case float32:
		return float64(v)
	}
	return v
}

func sameKind(def, v any) bool {
	switch normalize(def).(type) {
	case int64:
		_, ok := v.(int64)
		return ok
	case float64:
		switch v.(type) {
		case float64, int64:
			return true
		}
		return false
	case bool:
		_, ok := v.(bool)
		return ok
	case string:
		_, ok := v.(string)
		return ok
	}
	return true
}

func (m *Manifest) decodeLabels(root *table) {
	for _, t := range root.tables("label") {
		for k := range t.m {
			t.used[k] = true // the labelers check their own keys
		}
		m.Labels = append(m.Labels, labelers.Table{Line: root.d.lines.line(t.path), Data: t.m})
	}
	if len(m.Labels) > 0 {
		if _, err := labelers.Build(m.Labels, m.Dir); err != nil {
			m.labelErrors(root.d, err)
		}
	}
}

// labelErrors turns the labelers' errors into manifest errors with lines.
func (m *Manifest) labelErrors(d *decoder, err error) {
	var le *labelers.Error
	if errors.As(err, &le) {
		line := d.lines.line(le.Key)
		if line == 0 {
			line = le.Line
		}
		d.errs = append(d.errs, &ManifestError{File: d.file, Line: line, Key: le.Key, Err: le.Err})
		return
	}
	d.errorf("label", "%v", err)
}

func (m *Manifest) decodeOutput(root *table) {
	o := &m.Output
	o.Format = "parquet"
	o.Compression = "zstd"
	o.RowsPerFile = DefaultRowsPerFile
	t := root.sub("output")
	if t == nil {
		if _, present := root.m["output"]; !present { // else sub said what is wrong
			root.d.errorf("output", "missing [output] table (at least path)")
		}
		return
	}
	o.Path = t.str("path", "")
	o.Format = t.str("format", o.Format)
	_, hasCompression := t.m["compression"]
	o.Compression = t.str("compression", o.Compression)
	o.RowsPerFile = t.integer("rows_per_file", o.RowsPerFile, 0, math.MaxInt64)
	o.RotateInterval = decodeRotateInterval(t, m.Inputs)
	cols, hasCols := t.strings("columns")
	drop, hasDrop := t.strings("drop")
	o.Columns, o.Drop = cols, drop
	if o.Path == "" {
		t.d.errorf("output.path", "missing: the dataset directory (may be overridden with --output)")
	} else if err := checkVars(o.Path); err != nil {
		t.d.wrap("output.path", err)
	}
	if _, err := stages.FormatExtension(o.Format); err != nil {
		t.d.errorf("output.format", "unknown format %q (want parquet, csv or jsonl)", o.Format)
	}
	if o.Format == "parquet" {
		switch o.Compression {
		case "zstd", "snappy", "gzip", "none":
		default:
			t.d.errorf("output.compression", "unknown compression %q (want zstd, snappy, gzip or none)", o.Compression)
		}
	} else {
		if hasCompression && o.Compression != "none" {
			t.d.errorf("output.compression", "only Parquet files are compressed (format is %q)", o.Format)
		}
		o.Compression = ""
	}
	o.Anonymize = decodeAnonymize(t, m.Inputs)
	if hasCols && hasDrop {
		t.d.errorf("output.drop", "give columns or drop, not both")
	}
	if hasCols && len(cols) == 0 {
		t.d.errorf("output.columns", "empty list: the dataset would have no columns")
	}
	t.done(docKeys("output")...)
}

// columns builds the dataset schema the manifest asks for, reporting
// feature option and column selection errors with their lines.
func (m *Manifest) columns(d *decoder) (features.Schema, error) {
	ex, err := features.NewExtractor(m.Features.Requests, m.Streamer.Stages().Env())
	if err != nil {
		return nil, &ManifestError{File: m.File, Line: d.lines.line("features"), Key: "features", Err: err}
	}
	ls, err := labelers.Build(m.Labels, m.Dir)
	if err != nil {
		return nil, err // reported by decodeLabels
	}
	if ex.Schema().Index("application_name") < 0 {
		for i, t := range m.Labels {
			if key, ok := labelKeyNeedingDPI(i, t.Data); ok {
				return nil, &ManifestError{File: m.File, Line: d.lines.line(key), Key: key,
					Err: fmt.Errorf("needs the dpi feature set, which features.sets does not list (without it application_name and application_category_name do not exist and every flow would get the default label)")}
			}
		}
	}
	der, err := features.CompileDerived(m.Features.Defs, ex.Schema())
	if err != nil {
		key := "features.derived"
		for i, d := range m.Features.Defs {
			if d.Name != "" && strings.Contains(err.Error(), strconv.Quote(d.Name)) {
				key = fmt.Sprintf("features.derived[%d]", i)
				break
			}
		}
		return nil, &ManifestError{File: m.File, Line: d.lines.line(key), Key: key, Err: err}
	}
	full, err := datasetSchema(ex.Schema(), der.Columns(), ls)
	if err != nil {
		return nil, &ManifestError{File: m.File, Line: d.lines.line("label"), Key: "label", Err: err}
	}
	sel, err := selectColumns(full, m.Output.Columns, m.Output.Drop)
	if err != nil {
		key := "output.columns"
		if len(m.Output.Drop) > 0 {
			key = "output.drop"
		}
		return nil, &ManifestError{File: m.File, Line: d.lines.line(key), Key: key, Err: err}
	}
	out := make(features.Schema, len(sel))
	for i, j := range sel {
		out[i] = full[j]
	}
	return out, nil
}

// datasetSchema is the feature columns, the derived columns, source, then
// one column per labeler.
func datasetSchema(feat, derived features.Schema, ls []labelers.Labeler) (features.Schema, error) {
	for _, c := range derived {
		if feat.Index(c.Name) >= 0 {
			return nil, fmt.Errorf("derived column %q has the name of a feature column", c.Name)
		}
	}
	feat = append(append(features.Schema(nil), feat...), derived...)
	if feat.Index(SourceColumn) >= 0 {
		return nil, fmt.Errorf("a feature set or derived column is named %q, which the dataset reserves", SourceColumn)
	}
	base := append(append(features.Schema(nil), feat...), features.Column{
		Name: SourceColumn, Kind: features.String,
		Doc: "name of the input the flow comes from ([[input]].name, default the file name); (source, id) is unique",
	})
	return labelers.Schema(base, ls)
}

// selectColumns returns the indices of the kept columns.
func selectColumns(full features.Schema, keep, drop []string) ([]int, error) {
	var out []int
	if len(keep) > 0 {
		seen := map[string]bool{}
		for _, c := range keep {
			i := full.Index(c)
			if i < 0 {
				return nil, fmt.Errorf("unknown column %q", c)
			}
			if seen[c] {
				return nil, fmt.Errorf("column %q listed twice", c)
			}
			seen[c] = true
			out = append(out, i)
		}
		return out, nil
	}
	dropped := map[string]bool{}
	for _, c := range drop {
		if full.Index(c) < 0 {
			return nil, fmt.Errorf("unknown column %q", c)
		}
		dropped[c] = true
	}
	for i, c := range full {
		if !dropped[c.Name] {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("every column is dropped")
	}
	return out, nil
}

func builtinSets() []string {
	var out []string
	for _, s := range features.All() {
		if !strings.HasPrefix(s.Name, "plugin.") {
			out = append(out, s.Name)
		}
	}
	return out
}

func featureSetNames() []string { return builtinSets() }

func pluginNames() []string {
	var out []string
	for _, s := range features.All() {
		if n, ok := strings.CutPrefix(s.Name, "plugin."); ok {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return []string{"(none registered)"}
	}
	return out
}

var varRef = regexp.MustCompile(`\$\{([^}]*)\}`)

// checkVars rejects malformed ${…} references.
func checkVars(s string) error {
	for _, m := range varRef.FindAllStringSubmatch(s, -1) {
		if !regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`).MatchString(m[1]) {
			return fmt.Errorf("bad variable reference %q", m[0])
		}
	}
	return nil
}

// expandVars replaces ${VAR} with the environment's value; an unset
// variable is an error.
func expandVars(s string, lookup func(string) (string, bool)) (string, error) {
	var missing []string
	out := varRef.ReplaceAllStringFunc(s, func(ref string) string {
		name := ref[2 : len(ref)-1]
		v, ok := lookup(name)
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("environment variable %s is not set", strings.Join(missing, ", "))
	}
	return out, nil
}

func hasGlob(s string) bool { return strings.ContainsAny(s, "*?[{") }
