package pipeline

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/features"
)

var update = flag.Bool("update", false, "rewrite goldens/ and the generated parts of docs/manifest.md from current output")

// checkGolden compares got with the file at path, or rewrites it with -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pipeline -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); review, then go test ./pipeline -update:\n%s", path, diff)
	}
}

const lockPath = "../goldens/features.lock"

const lockHeader = `# Feature-set logic hashes: name, version, hash of the set's output on the
# probe capture (pipeline.ProbeCapture) with pipeline.ProbeOptions.
# A hash that changes under the same version fails TestFeaturesLock: bump the
# set's Version, then regenerate with: go test ./pipeline -update
`

type lockEntry struct {
	Version int
	Hash    string
}

func readLock(t *testing.T) map[string]lockEntry {
	t.Helper()
	b, err := os.ReadFile(lockPath)
	if err != nil {
		t.Fatalf("%v (run go test ./pipeline -update to create it)", err)
	}
	out := map[string]lockEntry{}
	for n, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var name string
		var e lockEntry
		if _, err := fmt.Sscanf(line, "%s %d %s", &name, &e.Version, &e.Hash); err != nil {
			t.Fatalf("%s:%d: %v", lockPath, n+1, err)
		}
		out[name] = e
	}
	return out
}

// TestFeaturesLock fails when a feature set's output on the probe capture
// changes without a version bump.
func TestFeaturesLock(t *testing.T) {
	got := map[string]lockEntry{}
	var b strings.Builder
	b.WriteString(lockHeader)
	for _, s := range features.All() {
		h, err := ReferenceHash(s.Name)
		if err != nil {
			t.Fatal(err)
		}
		got[s.Name] = lockEntry{s.Version, h}
		fmt.Fprintf(&b, "%s %d %s\n", s.Name, s.Version, h)
	}
	if *update {
		checkGolden(t, lockPath, []byte(b.String()))
		return
	}
	want := readLock(t)
	for name, g := range got {
		w, ok := want[name]
		switch {
		case !ok:
			t.Errorf("%s: new feature set, not in %s: run go test ./pipeline -update", name, lockPath)
		case w.Version == g.Version && w.Hash != g.Hash:
			t.Errorf("%s: output on the probe capture changed without a version bump (version %d, hash %s, locked %s): bump its Spec.Version, then go test ./pipeline -update", name, g.Version, g.Hash, w.Hash)
		case w.Version != g.Version:
			t.Errorf("%s: version %d, locked %d: run go test ./pipeline -update", name, g.Version, w.Version)
		}
	}
	for name := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("%s: in %s but not registered: run go test ./pipeline -update", name, lockPath)
		}
	}
}

// TestLogicHashStable: the probe is deterministic and a hash depends on the
// options.
func TestLogicHashStable(t *testing.T) {
	a, err := computeLogicHash("splt", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := computeLogicHash("splt", nil)
	c, _ := computeLogicHash("splt", features.Options{"n": int64(3)})
	if a != b || a == c {
		t.Errorf("hashes: %s, %s (same probe), %s (n=3)", a, b, c)
	}
	if !bytes.Equal(ProbeCapture(), ProbeCapture()) {
		t.Error("probe capture differs between calls")
	}
}

// TestQuickstartGolden builds manifests/quickstart.toml and compares every
// row (read back from Parquet), dataset.json and the metadata files with
// goldens/quickstart/.
func TestQuickstartGolden(t *testing.T) {
	m, err := Load("../manifests/quickstart.toml")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "quickstart")
	p, err := MakePlan(context.Background(), m, PlanOptions{Output: out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), p, BuildOptions{Jobs: 2}); err != nil {
		t.Fatal(err)
	}
	tbl, err := ReadDataset(out)
	if err != nil {
		t.Fatal(err)
	}
	var rows bytes.Buffer
	w := csv.NewWriter(&rows)
	w.Write(tbl.Columns)
	for _, r := range tbl.Rows {
		rec := make([]string, len(r))
		for i, c := range r {
			switch {
			case c.Null:
				rec[i] = "<null>"
			case c.IsNum || c.IsList:
				rec[i] = c.String()
			default:
				rec[i] = c.Str
			}
		}
		w.Write(rec)
	}
	w.Flush()
	checkGolden(t, "../goldens/quickstart/rows.csv", rows.Bytes())

	prov, err := os.ReadFile(filepath.Join(out, ProvenanceFile))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "../goldens/quickstart/dataset.json", stableProvenance(t, prov))
	// The published copy: enough for `nfdataset reproduce goldens/quickstart`.
	for _, name := range MetadataFiles {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "../goldens/quickstart/"+name, b)
	}
}

// stableProvenance drops the one field that depends on how nfdataset was
// built (the VCS revision).
func stableProvenance(t *testing.T, b []byte) []byte {
	var p Provenance
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	p.Nfdataset.VCSRevision = ""
	return marshalProvenance(&p)
}

// TestManifestDocs keeps docs/manifest.md's generated sections in step with
// manifestKeys and nfstreamParams.
func TestManifestDocs(t *testing.T) {
	const path = "../docs/manifest.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, sec := range []struct{ name, body string }{
		{"keys", KeyReference()},
		{"nfstream", NFStreamTable()},
	} {
		begin := "<!-- BEGIN GENERATED " + sec.name + " (go test ./pipeline -update) -->\n"
		end := "<!-- END GENERATED " + sec.name + " -->"
		i, j := strings.Index(doc, begin), strings.Index(doc, end)
		if i < 0 || j < i {
			t.Fatalf("%s: markers for section %s not found", path, sec.name)
		}
		doc = doc[:i+len(begin)] + sec.body + doc[j:]
	}
	checkGolden(t, path, []byte(doc))
}
