package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/stages/objstore"
)

// Version is nfdataset's version. It is a constant in the source, not read
// from the build information, so that `go build`, `go run` and `go test`
// binaries of the same source write byte-identical datasets. Bump it with
// every release.
const Version = "0.1.0-dev"

// FormatName identifies the layout of dataset.json.
const FormatName = "nfdataset-dataset/1"

// ProvenanceFile is the name of the provenance file in a dataset directory.
const ProvenanceFile = "dataset.json"

// RowOrder documents the canonical row order.
const RowOrder = "inputs in manifest order (the matches of a glob sorted by path), then flow id"

// Provenance is dataset.json.
type Provenance struct {
	Format         string           `json:"format"`
	Dataset        DatasetInfo      `json:"dataset"`
	Nfdataset      BuildInfo        `json:"nfdataset"`
	Manifest       json.RawMessage  `json:"manifest"`
	ManifestSHA256 string           `json:"manifest_sha256"`
	Inputs         []InputInfo      `json:"inputs"`
	FeatureSets    []FeatureSetInfo `json:"feature_sets"`
	Derived        *DerivedInfo     `json:"derived,omitempty"`
	Labelers       []LabelerInfo    `json:"labelers"`
	Columns        []ColumnInfo     `json:"columns"`
	RowOrder       string           `json:"row_order"`
	Rows           int64            `json:"rows"`
	Files          []FileInfo       `json:"files"`
	// Metadata lists croissant.json, manifest.json and README.md, written
	// beside the parts from the same facts (MetadataFiles).
	Metadata []MetadataInfo `json:"metadata,omitempty"`
	// Complete is false while a dataset with a live input is still being
	// captured (its finished parts are listed and valid) and true once it
	// ended; absent for datasets built from files only.
	Complete *bool `json:"complete,omitempty"`
	// Anonymization says which columns were anonymised and how; the key
	// appears only as a keyed digest.
	Anonymization *AnonymizationInfo `json:"anonymization,omitempty"`
}

// MetadataInfo is one of MetadataFiles.
type MetadataInfo struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// BuildInfo says which nfdataset wrote a dataset. VCSRevision is the
// commit nfdataset was built from when the build information names one and
// the work tree was clean; otherwise "unknown" (a test binary, `go run`
// without VCS stamping, or a modified tree, whose revision would not
// identify the code). It is the only field that may differ between two
// builds of the same source, so it appears in dataset.json only: never in
// the data files, and `verify --against` does not compare it.
type BuildInfo struct {
	Version     string `json:"version"`
	VCSRevision string `json:"vcs_revision,omitempty"`
}

// InputInfo describes one input: its name (the source column), its files
// by base name, size and SHA-256, and what the job found.
type InputInfo struct {
	Name     string          `json:"name"`
	Files    []FileDigest    `json:"files"`
	Size     int64           `json:"size"`
	Rows     int64           `json:"rows"`
	Stats    JobStats        `json:"stats"`
	Warnings []string        `json:"warnings,omitempty"`
	Extra    json.RawMessage `json:"-"`
}

// FileDigest identifies one input file.
type FileDigest struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// JobStats are a job's counters.
type JobStats struct {
	Frames     uint64 `json:"frames"`
	Duplicates uint64 `json:"duplicates_dropped"`
	Filtered   uint64 `json:"filtered"`
	Ignored    uint64 `json:"ignored"`
	Flows      int64  `json:"flows"`
	// Eviction is there when the input's flow table was bounded.
	Eviction *EvictionStats `json:"eviction,omitempty"`
	// Live holds a live input's capture counters and why it ended.
	Live *LiveStats `json:"live,omitempty"`
}

// EvictionStats records a bounded flow table (max_active_flows,
// memory_limit): its bound and how many flows left it with expiration_id 2.
type EvictionStats struct {
	MaxActiveFlows int64  `json:"max_active_flows"`
	Evicted        uint64 `json:"evicted"`
}

// DerivedInfo records the derived columns and the hash of their
// definitions (features.Derived.Hash).
type DerivedInfo struct {
	Columns []DerivedColumn `json:"columns"`
	Hash    string          `json:"hash"`
}

// DerivedColumn is one [[features.derived]] table.
type DerivedColumn struct {
	Name string `json:"name"`
	Expr string `json:"expr"`
	Type string `json:"type"`
}

func derivedColumns(defs []features.DerivedDef) []DerivedColumn {
	out := make([]DerivedColumn, len(defs))
	for i, d := range defs {
		out[i] = DerivedColumn(d)
	}
	return out
}

// LabelerInfo identifies a labeler and what it did.
type LabelerInfo struct {
	Kind    string         `json:"kind"`
	Version int            `json:"version"`
	Column  string         `json:"column"`
	Report  map[string]any `json:"report,omitempty"`
}

// ColumnInfo is one column of the dataset.
type ColumnInfo struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable,omitempty"`
}

// FileInfo is one data file of the dataset.
type FileInfo struct {
	Path   string `json:"path"` // relative to the dataset directory
	Rows   int64  `json:"rows"`
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
}

// buildInfo reads nfdataset's version and, when stable, VCS revision.
func buildInfo() BuildInfo {
	bi := BuildInfo{Version: Version, VCSRevision: "unknown"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return bi
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" && modified == "false" {
		bi.VCSRevision = rev
	}
	return bi
}

// resolvedManifest is the manifest as written plus defaults, with ${VAR}s
// unexpanded and nothing that depends on where or how it ran: no output
// path, no absolute input paths (reduced to their last element; inputs are
// identified by name, size and SHA-256 in Provenance.Inputs).
func (p *Plan) resolvedManifest() ([]byte, string) {
	m := p.Manifest
	type input struct {
		Path        string   `json:"path,omitempty"`
		Files       []string `json:"files,omitempty"`
		Name        string   `json:"name,omitempty"`
		SHA256      string   `json:"sha256,omitempty"`
		DedupWindow int64    `json:"dedup_window"`
		Reorder     bool     `json:"reorder"`
		// Live inputs only.
		Interface        string `json:"interface,omitempty"`
		Duration         string `json:"duration,omitempty"`
		Packets          uint64 `json:"packets,omitempty"`
		Flows            int64  `json:"flows,omitempty"`
		Promiscuous      *bool  `json:"promiscuous_mode,omitempty"`
		SnapshotLength   int64  `json:"snapshot_length,omitempty"`
		SocketBufferSize int64  `json:"socket_buffer_size,omitempty"`
	}
	type plugin struct {
		Name    string         `json:"name"`
		Options map[string]any `json:"options"`
	}
	// An absolute path or an s3:// URL says where the inputs were on one
	// machine or in one bucket: keep only its last element, so that the
	// same captures under another folder or in a bucket make the same
	// dataset.
	rel := func(s string) string {
		if filepath.IsAbs(s) {
			return filepath.Base(s)
		}
		if objstore.IsURL(s) {
			return path.Base(s)
		}
		return filepath.ToSlash(s)
	}
	var inputs []input
	for _, in := range m.Inputs {
		ri := input{Path: rel(in.Path), Name: in.Name, SHA256: in.SHA256, DedupWindow: in.DedupWindow, Reorder: in.Reorder}
		for _, f := range in.Files {
			ri.Files = append(ri.Files, rel(f))
		}
		if l := in.Live; l != nil {
			ri.Interface, ri.Packets, ri.Flows = l.Interface, l.Packets, l.Flows
			ri.Promiscuous = &l.Promiscuous
			ri.SnapshotLength, ri.SocketBufferSize = l.snapLen(m.Streamer), l.SocketBufferSize
			if l.Duration > 0 {
				ri.Duration = l.Duration.String()
			}
		}
		inputs = append(inputs, ri)
	}
	sets := []string{}
	opts := map[string]map[string]any{}
	plugins := []plugin{}
	for _, fs := range p.FeatureSets {
		if name, ok := cutPlugin(fs.Name); ok {
			plugins = append(plugins, plugin{Name: name, Options: nonNil(fs.Options)})
			continue
		}
		sets = append(sets, fs.Name)
		if len(fs.Options) > 0 {
			opts[fs.Name] = fs.Options
		}
	}
	labels := []map[string]any{}
	for _, l := range m.Labels {
		labels = append(labels, l.Data)
	}
	derived := []map[string]any{}
	for _, d := range m.Features.Derived {
		derived = append(derived, d.Data)
	}
	output := map[string]any{
		"format":        m.Output.Format,
		"rows_per_file": m.Output.RowsPerFile,
	}
	if m.Output.Format == "parquet" {
		output["compression"] = m.Output.Compression
	}
	if len(m.Output.Columns) > 0 {
		output["columns"] = m.Output.Columns
	}
	if len(m.Output.Drop) > 0 {
		output["drop"] = m.Output.Drop
	}
	doc := map[string]any{
		"dataset":  m.Dataset,
		"input":    inputs,
		"streamer": m.Streamer,
		"features": map[string]any{"sets": sets, "options": opts, "plugins": plugins, "derived": derived},
		"label":    labels,
		"output":   output,
	}
	b, err := json.Marshal(doc)
	if err != nil {
		b = []byte(fmt.Sprintf("%q", err.Error()))
	}
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:])
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func cutPlugin(name string) (string, bool) {
	const prefix = "plugin."
	if len(name) > len(prefix) && name[:len(prefix)] == prefix {
		return name[len(prefix):], true
	}
	return "", false
}

// ReadProvenance reads DIR/dataset.json (or a dataset.json path).
func ReadProvenance(path string) (*Provenance, error) {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		path = filepath.Join(path, ProvenanceFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseProvenance(path, b)
}

// marshalProvenance encodes dataset.json: indented, keys in a fixed order,
// a final newline.
func marshalProvenance(p *Provenance) []byte {
	b, _ := json.MarshalIndent(p, "", "  ")
	return append(b, '\n')
}

// metadataFacts is what each Parquet file carries: dataset.json without the
// files' sizes and digests and without the VCS revision.
func metadataFacts(p *Provenance) map[string]string {
	q := *p
	q.Nfdataset.VCSRevision = ""
	q.Files = slices.Clone(p.Files)
	for i := range q.Files {
		q.Files[i].Size, q.Files[i].SHA256 = 0, ""
	}
	b, _ := json.Marshal(&q)
	return map[string]string{
		"nfdataset.provenance":      string(b),
		"nfdataset.version":         Version,
		"nfdataset.manifest_sha256": p.ManifestSHA256,
	}
}
