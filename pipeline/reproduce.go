package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// ReproduceOptions are reproduce's inputs.
type ReproduceOptions struct {
	Published string // directory, dataset.json or https:// URL of the published dataset
	Inputs    string // directory searched (recursively) for the captures
	Output    string // where the dataset is rebuilt
	Build     BuildOptions
}

// ReproduceReport says what reproduce found.
type ReproduceReport struct {
	// Inputs has one line per published input file: found, missing or
	// different.
	Inputs []string
	// Missing counts input files not found or not matching.
	Missing int
	// Diffs are verify --against's differences of the rebuilt dataset.
	Diffs []string
	Built *Summary
}

// OK reports whether the published dataset was reproduced.
func (r *ReproduceReport) OK() bool { return r.Missing == 0 && r.Built != nil && len(r.Diffs) == 0 }

// Reproduce rebuilds a published dataset from its manifest.json with the
// captures found under opts.Inputs (matched by file name and SHA-256) and
// verifies the result against the published dataset.json.
//
// The recorded manifest is used unchanged, so that the rebuilt one has the
// same manifest_sha256: the captures are linked into a scratch directory
// under the relative paths the manifest names, and the manifest is parsed
// from there.
func Reproduce(ctx context.Context, opts ReproduceOptions) (*ReproduceReport, error) {
	pub, err := ReadPublished(ctx, opts.Published)
	if err != nil {
		return nil, err
	}
	raw, err := ReadPublishedFile(ctx, opts.Published, ManifestFile)
	if err != nil {
		return nil, fmt.Errorf("published manifest: %w", err)
	}
	if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != pub.ManifestSHA256 {
		return nil, fmt.Errorf("published %s does not match dataset.json's manifest_sha256 %s", ManifestFile, pub.ManifestSHA256)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, pub.Manifest); err != nil || !bytes.Equal(raw, compact.Bytes()) {
		return nil, fmt.Errorf("published %s differs from dataset.json's manifest", ManifestFile)
	}
	doc, err := decodeResolved(raw)
	if err != nil {
		return nil, fmt.Errorf("published %s: %w", ManifestFile, err)
	}
	rep := &ReproduceReport{}
	found, err := indexFiles(opts.Inputs)
	if err != nil {
		return nil, err
	}

	// The scratch tree: the manifest sits deep enough that every "../" of
	// a recorded path stays inside it.
	scratch, err := os.MkdirTemp("", "nfdataset-reproduce-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	inputs, _ := doc["input"].([]any)
	labels, _ := doc["label"].([]any)
	depth := 0
	for _, in := range inputs {
		for _, p := range inputPaths(in) {
			depth = max(depth, strings.Count(p, "../"))
		}
	}
	for _, l := range labels {
		for _, f := range labelFiles(l) {
			depth = max(depth, strings.Count(f.path, "../"))
		}
	}
	mdir := scratch
	for i := 0; i <= depth; i++ {
		mdir = filepath.Join(mdir, fmt.Sprintf("d%d", i))
	}
	expand := func(p string) string { return varRef.ReplaceAllString(p, "var-$1") }

	// Each published input's files go beside the path its manifest entry
	// names (the directory of a glob).
	entryOf := func(i int) string {
		// Published inputs follow manifest order; a glob entry yields
		// several. Find the entry whose path or files produce this name.
		name := pub.Inputs[i].Name
		for _, in := range inputs {
			t, _ := in.(map[string]any)
			if n, _ := t["name"].(string); n == name {
				return entryDir(t)
			}
		}
		for _, in := range inputs {
			t, _ := in.(map[string]any)
			if p, _ := t["path"].(string); p != "" {
				if ok, _ := path.Match(path.Base(p), name); ok {
					return path.Dir(p)
				}
			}
			for _, f := range inputPaths(in) {
				if path.Base(f) == name {
					return path.Dir(f)
				}
			}
		}
		return "."
	}
	for i, in := range pub.Inputs {
		dir := filepath.Join(mdir, filepath.FromSlash(expand(entryOf(i))))
		for _, f := range in.Files {
			cands := found[f.Name]
			var match string
			for _, c := range cands {
				if c.sha == f.SHA256 {
					match = c.path
					break
				}
			}
			switch {
			case len(cands) == 0:
				rep.Missing++
				rep.Inputs = append(rep.Inputs, fmt.Sprintf("input %s: %s: missing (no file of that name under %s)", in.Name, f.Name, opts.Inputs))
				continue
			case match == "":
				rep.Missing++
				rep.Inputs = append(rep.Inputs, fmt.Sprintf("input %s: %s: differs: %s has sha256 %s, the published dataset %s",
					in.Name, f.Name, cands[0].path, cands[0].sha, f.SHA256))
				continue
			}
			rep.Inputs = append(rep.Inputs, fmt.Sprintf("input %s: %s: found %s", in.Name, f.Name, match))
			if err := os.MkdirAll(dir, 0o777); err != nil {
				return nil, err
			}
			abs, err := filepath.Abs(match)
			if err != nil {
				return nil, err
			}
			if err := os.Symlink(abs, filepath.Join(dir, f.Name)); err != nil && !os.IsExist(err) {
				return nil, err
			}
		}
	}
	if ds, ok := doc["dataset"].(map[string]any); ok {
		if card, _ := ds["card"].(string); card != "" {
			// The authors' prose is part of README.md: look for it beside
			// the captures.
			c := found[path.Base(card)]
			if len(c) == 0 {
				rep.Missing++
				rep.Inputs = append(rep.Inputs, fmt.Sprintf("[dataset] card %s: missing (no file of that name under %s)", card, opts.Inputs))
			} else {
				dst := filepath.Join(mdir, filepath.FromSlash(card))
				if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
					return nil, err
				}
				abs, _ := filepath.Abs(c[0].path)
				if err := os.Symlink(abs, dst); err != nil {
					return nil, err
				}
			}
		}
	}
	for i, l := range labels {
		for _, lf := range labelFiles(l) {
			what := fmt.Sprintf("label[%d] %s %s", i, lf.key, lf.path)
			if filepath.IsAbs(lf.path) {
				// An absolute path is part of the recorded manifest (and of
				// its digest): the file must be where the authors had it.
				if _, err := os.Stat(lf.path); err != nil {
					rep.Missing++
					rep.Inputs = append(rep.Inputs, fmt.Sprintf("%s: missing (an absolute path is read in place)", what))
				} else {
					rep.Inputs = append(rep.Inputs, fmt.Sprintf("%s: read in place", what))
				}
				continue
			}
			c := found[path.Base(lf.path)]
			if len(c) == 0 {
				rep.Missing++
				rep.Inputs = append(rep.Inputs, fmt.Sprintf("%s: missing (no file of that name under %s)", what, opts.Inputs))
				continue
			}
			// dataset.json has no digest of a ground-truth file, so the
			// first of that name is used; a wrong one shows as label
			// differences when the rebuilt dataset is verified.
			note := ""
			if len(c) > 1 {
				note = fmt.Sprintf(" (first of %d files of that name)", len(c))
			}
			rep.Inputs = append(rep.Inputs, fmt.Sprintf("%s: found %s%s", what, c[0].path, note))
			dst := filepath.Join(mdir, filepath.FromSlash(lf.path))
			if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
				return nil, err
			}
			abs, err := filepath.Abs(c[0].path)
			if err != nil {
				return nil, err
			}
			if err := os.Symlink(abs, dst); err != nil && !os.IsExist(err) {
				return nil, err
			}
		}
	}
	if rep.Missing > 0 {
		return rep, nil
	}
	text, err := resolvedToTOML(doc)
	if err != nil {
		return nil, fmt.Errorf("published %s: %w", ManifestFile, err)
	}
	if err := os.MkdirAll(mdir, 0o777); err != nil {
		return nil, err
	}
	mfile := filepath.Join(mdir, "manifest.toml")
	if err := os.WriteFile(mfile, text, 0o666); err != nil {
		return nil, err
	}
	m, err := Load(mfile)
	if err != nil {
		return nil, fmt.Errorf("published %s: %w", ManifestFile, err)
	}
	plan, err := MakePlan(ctx, m, PlanOptions{Output: opts.Output, LookupEnv: func(v string) (string, bool) {
		return "var-" + v, true
	}})
	if err != nil {
		return nil, err
	}
	sum, err := Build(ctx, plan, opts.Build)
	if err != nil {
		return nil, err
	}
	rep.Built = sum
	rep.Diffs, err = verifyAgainst(opts.Output, pub)
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// inputPaths lists the paths an [[input]] entry of a resolved manifest names.
func inputPaths(in any) []string {
	t, _ := in.(map[string]any)
	var out []string
	if p, _ := t["path"].(string); p != "" {
		out = append(out, p)
	}
	files, _ := t["files"].([]any)
	for _, f := range files {
		if s, ok := f.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// labelFileKeys names, per labeler kind, the keys holding a file the
// labeler reads (relative to the manifest unless absolute): reproduce must
// place those files too, or the labels cannot be rebuilt.
var labelFileKeys = map[string][]string{"csv": {"path"}}

type labelFile struct{ key, path string }

// labelFiles lists the files a [[label]] table of a resolved manifest reads.
func labelFiles(l any) []labelFile {
	t, _ := l.(map[string]any)
	kind, _ := t["kind"].(string)
	var out []labelFile
	for _, k := range labelFileKeys[kind] {
		if p, _ := t[k].(string); p != "" {
			out = append(out, labelFile{k, p})
		}
	}
	return out
}

func entryDir(t map[string]any) string {
	ps := inputPaths(t)
	if len(ps) == 0 {
		return "."
	}
	return path.Dir(ps[0])
}

type foundFile struct{ path, sha string }

// indexFiles hashes every regular file under dir, by base name.
func indexFiles(dir string) (map[string][]foundFile, error) {
	out := map[string][]foundFile{}
	if dir == "" {
		return out, nil
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != dir && (d.Name() == cacheDirName || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		_, sum, err := hashFile(context.Background(), p)
		if err != nil {
			return err
		}
		out[d.Name()] = append(out[d.Name()], foundFile{p, sum})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("--inputs: %w", err)
	}
	for _, v := range out {
		sort.Slice(v, func(i, j int) bool { return v[i].path < v[j].path })
	}
	return out, nil
}

// decodeResolved decodes a resolved manifest keeping integers integers.
func decodeResolved(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return fixNumbers(doc).(map[string]any), nil
}

func fixNumbers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = fixNumbers(x)
		}
	case []any:
		for i, x := range v {
			v[i] = fixNumbers(x)
		}
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	}
	return v
}

// resolvedToTOML writes a resolved manifest back as manifest TOML: the
// same tables, with [features] and [output] in their written form.
func resolvedToTOML(doc map[string]any) ([]byte, error) {
	out := map[string]any{}
	for _, k := range []string{"dataset", "streamer"} {
		if v, ok := doc[k]; ok {
			out[k] = v
		}
	}
	if inputs, ok := doc["input"].([]any); ok {
		out["input"] = inputs
	}
	if labels, ok := doc["label"].([]any); ok && len(labels) > 0 {
		out["label"] = labels
	}
	feat := map[string]any{}
	if f, ok := doc["features"].(map[string]any); ok {
		if s, ok := f["sets"]; ok {
			feat["sets"] = s
		}
		if o, ok := f["options"].(map[string]any); ok {
			for set, opts := range o {
				feat[set] = opts
			}
		}
		if ps, ok := f["plugins"].([]any); ok && len(ps) > 0 {
			var plugins []any
			for _, p := range ps {
				pm, _ := p.(map[string]any)
				t := map[string]any{"name": pm["name"]}
				if o, ok := pm["options"].(map[string]any); ok {
					for k, v := range o {
						t[k] = v
					}
				}
				plugins = append(plugins, t)
			}
			feat["plugins"] = plugins
		}
		if d, ok := f["derived"].([]any); ok && len(d) > 0 {
			feat["derived"] = d
		}
	}
	out["features"] = feat
	o, _ := doc["output"].(map[string]any)
	output := map[string]any{"path": "out"}
	for k, v := range o {
		output[k] = v
	}
	out["output"] = output
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(out); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
