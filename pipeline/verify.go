package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Verify checks that every file dataset.json lists exists with its size
// and SHA-256, and that the directory holds no other data file. With
// against (another dataset.json), it also checks that the dataset
// reproduces that one (against is a dataset.json, its directory or an
// https:// URL of either): same resolved manifest, inputs, feature sets,
// labelers, columns, row counts and file digests. The nfdataset VCS
// revision is not compared (see BuildInfo). It returns one line per
// difference; none means the dataset is intact.
func Verify(dir, against string) ([]string, error) {
	// While a live capture runs, dataset.json and the metadata files are
	// rewritten at each part: a difference seen across such a rewrite is
	// no difference, so look again at the new state.
	for try := 0; ; try++ {
		before, _ := os.ReadFile(filepath.Join(dir, ProvenanceFile))
		diffs, prov, err := verifyOnce(dir, against)
		if err != nil || len(diffs) == 0 || prov.Complete == nil || *prov.Complete || try == 4 {
			return diffs, err
		}
		if after, _ := os.ReadFile(filepath.Join(dir, ProvenanceFile)); bytes.Equal(before, after) {
			return diffs, nil
		}
	}
}

func verifyOnce(dir, against string) ([]string, *Provenance, error) {
	interrupted := Interrupted(dir)
	prov, err := ReadProvenance(filepath.Join(dir, ProvenanceFile))
	if err != nil {
		if interrupted != "" {
			return nil, nil, errors.New(interrupted)
		}
		return nil, nil, err
	}
	var diffs []string
	if interrupted != "" {
		diffs = append(diffs, interrupted)
	}
	listed := map[string]bool{}
	for _, f := range prov.Files {
		listed[f.Path] = true
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		size, sum, err := hashFile(context.Background(), path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			diffs = append(diffs, fmt.Sprintf("%s: missing", f.Path))
		case err != nil:
			diffs = append(diffs, fmt.Sprintf("%s: %v", f.Path, err))
		case size != f.Size:
			diffs = append(diffs, fmt.Sprintf("%s: size %d, dataset.json says %d", f.Path, size, f.Size))
		case sum != f.SHA256:
			diffs = append(diffs, fmt.Sprintf("%s: sha256 %s, dataset.json says %s", f.Path, sum, f.SHA256))
		}
	}
	for _, f := range prov.Metadata {
		listed[f.Path] = true
		size, sum, err := hashFile(context.Background(), filepath.Join(dir, filepath.FromSlash(f.Path)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			diffs = append(diffs, fmt.Sprintf("%s: missing", f.Path))
		case err != nil:
			diffs = append(diffs, fmt.Sprintf("%s: %v", f.Path, err))
		case size != f.Size:
			diffs = append(diffs, fmt.Sprintf("%s: size %d, dataset.json says %d", f.Path, size, f.Size))
		case sum != f.SHA256:
			diffs = append(diffs, fmt.Sprintf("%s: sha256 %s, dataset.json says %s", f.Path, sum, f.SHA256))
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "part-") && !listed[e.Name()] && !beingListed(prov, e.Name()) {
			diffs = append(diffs, fmt.Sprintf("%s: not listed in dataset.json", e.Name()))
		}
	}
	// Temporary files in OUT are a killed build's leftovers, unless a
	// build (a live capture rewriting dataset.json) is writing them now.
	if stray := strayFiles(dir); len(stray) > 0 && !lockHeld(dir) {
		for _, name := range stray {
			diffs = append(diffs, fmt.Sprintf("%s: stray temporary file left by an interrupted build (the next build removes it)", name))
		}
	}
	var total int64
	for _, f := range prov.Files {
		total += f.Rows
	}
	if total != prov.Rows {
		diffs = append(diffs, fmt.Sprintf("dataset.json: files hold %d rows, rows says %d", total, prov.Rows))
	}
	if against != "" {
		pub, err := ReadPublished(context.Background(), against)
		if err != nil {
			return nil, nil, err
		}
		diffs = append(diffs, compareProvenance(pub, prov)...)
	}
	return diffs, prov, nil
}

// verifyAgainst is Verify with the published dataset.json already read.
func verifyAgainst(dir string, pub *Provenance) ([]string, error) {
	diffs, err := Verify(dir, "")
	if err != nil {
		return nil, err
	}
	prov, err := ReadProvenance(filepath.Join(dir, ProvenanceFile))
	if err != nil {
		return nil, err
	}
	return append(diffs, compareProvenance(pub, prov)...), nil
}

// compareProvenance lists how got differs from want, field by field.
func compareProvenance(want, got *Provenance) []string {
	var diffs []string
	add := func(what string, w, g any) {
		wb, _ := json.Marshal(w)
		gb, _ := json.Marshal(g)
		if !bytes.Equal(wb, gb) {
			diffs = append(diffs, fmt.Sprintf("%s: %s here, %s in the published dataset", what, clip(gb), clip(wb)))
		}
	}
	add("nfdataset version", want.Nfdataset.Version, got.Nfdataset.Version)
	add("manifest_sha256", want.ManifestSHA256, got.ManifestSHA256)
	add("dataset", want.Dataset, got.Dataset)
	if len(want.Inputs) != len(got.Inputs) {
		diffs = append(diffs, fmt.Sprintf("inputs: %d here, %d in the published dataset", len(got.Inputs), len(want.Inputs)))
	} else {
		for i := range want.Inputs {
			w, g := want.Inputs[i], got.Inputs[i]
			add(fmt.Sprintf("input %d (%s)", i, w.Name), struct {
				N string
				F []FileDigest
				R int64
			}{w.Name, w.Files, w.Rows}, struct {
				N string
				F []FileDigest
				R int64
			}{g.Name, g.Files, g.Rows})
		}
	}
	add("feature_sets", want.FeatureSets, got.FeatureSets)
	wl, gl := slices.Clone(want.Labelers), slices.Clone(got.Labelers)
	add("labelers", wl, gl)
	add("columns", want.Columns, got.Columns)
	add("rows", want.Rows, got.Rows)
	if len(want.Files) != len(got.Files) {
		diffs = append(diffs, fmt.Sprintf("files: %d here, %d in the published dataset", len(got.Files), len(want.Files)))
	} else {
		for i := range want.Files {
			add("file "+want.Files[i].Path, want.Files[i], got.Files[i])
		}
	}
	if len(want.Metadata) != len(got.Metadata) {
		diffs = append(diffs, fmt.Sprintf("metadata files: %d here, %d in the published dataset", len(got.Metadata), len(want.Metadata)))
	} else {
		for i := range want.Metadata {
			add("file "+want.Metadata[i].Path, want.Metadata[i], got.Metadata[i])
		}
	}
	return diffs
}

func clip(b []byte) string {
	const max = 160
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// DiffOptions tunes Diff.
type DiffOptions struct {
	// Tolerance is the relative difference under which two numbers are
	// equal: |a−b| ≤ Tolerance·max(|a|,|b|). 0 compares exactly.
	Tolerance float64
	// MaxExamples bounds the differing cells reported per column.
	MaxExamples int
}

// DiffReport is the outcome of Diff.
type DiffReport struct {
	Lines []string // human-readable differences, empty when equal
	// Counts per column of differing cells.
	Cells map[string]int
}

// Equal reports whether the datasets matched.
func (r *DiffReport) Equal() bool { return len(r.Lines) == 0 }

// Diff compares two datasets flow by flow — rows matched by (source, id)
// when both have these columns, else by position — and column by column.
func Diff(a, b *Table, opts DiffOptions) *DiffReport {
	if opts.MaxExamples <= 0 {
		opts.MaxExamples = 3
	}
	r := &DiffReport{Cells: map[string]int{}}
	ai, bi := colIndex(a.Columns), colIndex(b.Columns)
	for _, c := range a.Columns {
		if _, ok := bi[c]; !ok {
			r.Lines = append(r.Lines, fmt.Sprintf("column %s: only in A", c))
		}
	}
	for _, c := range b.Columns {
		if _, ok := ai[c]; !ok {
			r.Lines = append(r.Lines, fmt.Sprintf("column %s: only in B", c))
		}
	}
	keyOf := func(t *Table, idx map[string]int) func(i int) string {
		s, okS := idx[SourceColumn]
		id, okI := idx["id"]
		_, bs := bi[SourceColumn]
		_, bid := bi["id"]
		_, as := ai[SourceColumn]
		_, aid := ai["id"]
		if okS && okI && as && aid && bs && bid {
			return func(i int) string {
				return t.Rows[i][s].Str + "#" + t.Rows[i][id].String()
			}
		}
		return func(i int) string { return fmt.Sprintf("row %d", i) }
	}
	ka, kb := keyOf(a, ai), keyOf(b, bi)
	bRows := map[string]int{}
	for i := range b.Rows {
		bRows[kb(i)] = i
	}
	matched := map[string]bool{}
	var onlyA []string
	examples := map[string][]string{}
	var order []string
	for i := range a.Rows {
		k := ka(i)
		j, ok := bRows[k]
		if !ok {
			onlyA = append(onlyA, k)
			continue
		}
		matched[k] = true
		for _, c := range a.Columns {
			cb, ok := bi[c]
			if !ok {
				continue
			}
			x, y := a.Rows[i][ai[c]], b.Rows[j][cb]
			if cellsEqual(x, y, opts.Tolerance) {
				continue
			}
			if r.Cells[c] == 0 {
				order = append(order, c)
			}
			r.Cells[c]++
			if len(examples[c]) < opts.MaxExamples {
				examples[c] = append(examples[c], fmt.Sprintf("%s: %s ≠ %s", k, x, y))
			}
		}
	}
	var onlyB []string
	for i := range b.Rows {
		if k := kb(i); !matched[k] {
			onlyB = append(onlyB, k)
		}
	}
	if len(onlyA) > 0 {
		r.Lines = append(r.Lines, fmt.Sprintf("%d flow(s) only in A: %s", len(onlyA), firstFew(onlyA)))
	}
	if len(onlyB) > 0 {
		r.Lines = append(r.Lines, fmt.Sprintf("%d flow(s) only in B: %s", len(onlyB), firstFew(onlyB)))
	}
	for _, c := range order {
		r.Lines = append(r.Lines, fmt.Sprintf("column %s: %d flow(s) differ; %s", c, r.Cells[c], strings.Join(examples[c], "; ")))
	}
	return r
}

func firstFew(keys []string) string {
	if len(keys) > 5 {
		return strings.Join(keys[:5], ", ") + ", …"
	}
	return strings.Join(keys, ", ")
}

func colIndex(cols []string) map[string]int {
	m := make(map[string]int, len(cols))
	for i, c := range cols {
		m[c] = i
	}
	return m
}

func cellsEqual(x, y Cell, tol float64) bool {
	switch {
	case x.Null || y.Null:
		return x.Null == y.Null
	case x.IsNum && y.IsNum:
		return numEqual(x.Num, y.Num, tol)
	case x.IsList && y.IsList:
		if len(x.List) != len(y.List) {
			return false
		}
		for i := range x.List {
			if !numEqual(x.List[i], y.List[i], tol) {
				return false
			}
		}
		return true
	case x.IsNum || y.IsNum || x.IsList || y.IsList:
		// A string against a number or list (CSV against Parquet): read
		// the string as CSV would.
		if !x.IsNum && !x.IsList {
			x = textCell(x.Str)
		}
		if !y.IsNum && !y.IsList {
			y = textCell(y.Str)
		}
		if x.IsNum && y.IsNum || x.IsList && y.IsList {
			return cellsEqual(x, y, tol)
		}
		return false
	}
	return x.Str == y.Str
}

func numEqual(a, b, tol float64) bool {
	if a == b || math.IsNaN(a) && math.IsNaN(b) {
		return true
	}
	return math.Abs(a-b) <= tol*math.Max(math.Abs(a), math.Abs(b))
}

// beingListed reports the one unlisted part a dataset still being captured
// may hold: the next part, renamed into place an instant before
// dataset.json is rewritten to list it (or forever, if the capture was
// killed in that instant).
func beingListed(prov *Provenance, name string) bool {
	return prov.Complete != nil && !*prov.Complete && strings.HasPrefix(name, fmt.Sprintf("part-%05d.", len(prov.Files)))
}
