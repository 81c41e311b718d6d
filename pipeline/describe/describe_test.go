package describe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/pipeline"
	"github.com/nfdataset/nfdataset/pipeline/describe"
)

// labelled is the quickstart with every [dataset] key of a published
// dataset and a rules labeler, so that croissant.json has a label column.
const labelled = `
[dataset]
name = "quickstart-labelled"
version = "1.0.0"
description = "The quickstart captures, labelled by port."
license = "CC-BY-4.0"
citation = "@misc{qs, title={Quickstart}, year={2026}}"
creators = ["A. Researcher", "B. Engineer"]
url = "https://example.org/quickstart"
card = "extra.md"

[[input]]
path = "%s/*.pcap"

[features]
sets = ["base", "stats", "splt", "dpi"]

[[label]]
kind = "rules"
default = "BENIGN"
[[label.rule]]
label = "DNS"
dst_port = 53

[output]
path = "out"
`

func buildDataset(t *testing.T, manifest string, jobs int, out string) *pipeline.Provenance {
	t.Helper()
	m, err := pipeline.Load(manifest)
	if err != nil {
		t.Fatal(err)
	}
	p, err := pipeline.MakePlan(context.Background(), m, pipeline.PlanOptions{Output: out})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := pipeline.Build(context.Background(), p, pipeline.BuildOptions{Jobs: jobs, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	return sum.Provenance
}

func writeLabelled(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	captures, err := filepath.Abs("../../testdata/captures")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "labelled.toml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf(labelled, filepath.ToSlash(captures))), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "extra.md"), []byte("## Authors' notes\n\nWritten by hand.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMetadataFilesDeterministic: the three files have the same bytes
// whatever the number of jobs and the output directory, dataset.json
// lists them with their digests, and verify checks them.
func TestMetadataFilesDeterministic(t *testing.T) {
	manifest := writeLabelled(t)
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "elsewhere", "b")
	pa := buildDataset(t, manifest, 1, a)
	pb := buildDataset(t, manifest, 3, b)
	if diff := cmp.Diff(pa.Metadata, pb.Metadata); diff != "" {
		t.Errorf("metadata listing differs between --jobs 1 and 3 (-1 +3):\n%s", diff)
	}
	var names []string
	for _, f := range pa.Metadata {
		names = append(names, f.Path)
		x, err := os.ReadFile(filepath.Join(a, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between --jobs 1 and --jobs 3", f.Path)
		}
	}
	if diff := cmp.Diff([]string{"croissant.json", "manifest.json", "README.md"}, names); diff != "" {
		t.Errorf("dataset.json metadata (-want +got):\n%s", diff)
	}
	mj, _ := os.ReadFile(filepath.Join(a, pipeline.ManifestFile))
	if !bytes.Equal(mj, pa.Manifest) {
		t.Errorf("manifest.json is not dataset.json's manifest:\n%s\n%s", mj, pa.Manifest)
	}
	card, _ := os.ReadFile(filepath.Join(a, describe.CardFile))
	for _, want := range []string{"Written by hand.", "@misc{qs", "`label`: the `rules` labeler"} {
		if !bytes.Contains(card, []byte(want)) {
			t.Errorf("README.md lacks %q", want)
		}
	}
	if diffs, err := pipeline.Verify(a, ""); err != nil || len(diffs) > 0 {
		t.Fatalf("verify of a fresh build: %v %v", diffs, err)
	}
	if err := os.WriteFile(filepath.Join(a, describe.CardFile), append(card, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	diffs, err := pipeline.Verify(a, "")
	if err != nil || len(diffs) != 1 || !strings.HasPrefix(diffs[0], "README.md: size") {
		t.Errorf("verify after editing README.md: %q, %v; want one README.md difference", diffs, err)
	}
}

func python(t *testing.T, module string) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: Croissant and card checks skipped")
	}
	if err := exec.Command(py, "-c", "import "+module).Run(); err != nil {
		t.Skipf("python module %s not installed (pip install -r pipeline/describe/testdata/requirements.txt): skipped", module)
	}
	return py
}

// TestCroissantLoads validates croissant.json with mlcroissant and loads
// the flows record set through it: the same rows and values as reading
// the Parquet parts.
func TestCroissantLoads(t *testing.T) {
	py := python(t, "mlcroissant")
	for _, name := range []string{"quickstart", "labelled"} {
		t.Run(name, func(t *testing.T) {
			manifest := "../../manifests/quickstart.toml"
			if name == "labelled" {
				manifest = writeLabelled(t)
			}
			out := filepath.Join(t.TempDir(), name)
			prov := buildDataset(t, manifest, 2, out)
			cmd := exec.Command(py, "testdata/load_croissant.py", filepath.Join(out, describe.CroissantFile))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			got, err := cmd.Output()
			if err != nil {
				t.Fatalf("mlcroissant: %v\n%s", err, stderr.String())
			}
			table, err := pipeline.ReadDataset(out)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			for _, row := range table.Rows {
				rec := map[string]any{}
				for i, c := range row {
					rec[table.Columns[i]] = cellJSON(c)
				}
				b, _ := json.Marshal(rec)
				want.Write(append(b, '\n'))
			}
			if int64(len(table.Rows)) != prov.Rows || prov.Rows == 0 {
				t.Fatalf("parquet has %d rows, dataset.json %d", len(table.Rows), prov.Rows)
			}
			if diff := cmp.Diff(jsonLines(t, want.Bytes()), jsonLines(t, got)); diff != "" {
				t.Errorf("records through mlcroissant differ from the Parquet rows (-parquet +croissant):\n%s", diff)
			}
			if name == "labelled" {
				// The label column is marked as one.
				var c struct {
					RecordSet []struct {
						ID    string `json:"@id"`
						Field []struct {
							Name     string `json:"name"`
							DataType any    `json:"dataType"`
						} `json:"field"`
					} `json:"recordSet"`
				}
				b, _ := os.ReadFile(filepath.Join(out, describe.CroissantFile))
				if err := json.Unmarshal(b, &c); err != nil {
					t.Fatal(err)
				}
				if c.RecordSet[0].ID != "flows" {
					t.Errorf("first record set is %q", c.RecordSet[0].ID)
				}
				last := c.RecordSet[0].Field[len(c.RecordSet[0].Field)-1]
				if last.Name != "label" || fmt.Sprint(last.DataType) != "[sc:Text cr:Label]" {
					t.Errorf("label field: %+v", last)
				}
			}
		})
	}
}

// jsonLines decodes one JSON object per line, so that both sides compare
// as values, not as spellings of numbers.
func jsonLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		out = append(out, m)
	}
	return out
}

// cellJSON is a cell as the loader script prints it.
func cellJSON(c pipeline.Cell) any {
	switch {
	case c.Null:
		return nil
	case c.IsList:
		return c.List
	case c.IsNum:
		return c.Num
	}
	return c.Str
}

// TestCardFrontMatter parses README.md's front matter as YAML and checks
// that every data file it names exists.
func TestCardFrontMatter(t *testing.T) {
	py := python(t, "yaml")
	out := filepath.Join(t.TempDir(), "labelled")
	buildDataset(t, writeLabelled(t), 1, out)
	cmd := exec.Command(py, "testdata/card_front_matter.py", filepath.Join(out, describe.CardFile))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("front matter: %v\n%s", err, stderr.String())
	}
	var fm struct {
		License  string   `json:"license"`
		Sizes    []string `json:"size_categories"`
		Tasks    []string `json:"task_categories"`
		Files    []string `json:"files"`
		Existing []bool   `json:"exists"`
	}
	if err := json.Unmarshal(got, &fm); err != nil {
		t.Fatalf("%v: %s", err, got)
	}
	if fm.License != "cc-by-4.0" || fmt.Sprint(fm.Sizes) != "[n<1K]" || fmt.Sprint(fm.Tasks) != "[tabular-classification]" {
		t.Errorf("front matter: %+v", fm)
	}
	if len(fm.Files) == 0 {
		t.Fatal("front matter names no data files")
	}
	for i, f := range fm.Files {
		if !fm.Existing[i] {
			t.Errorf("front matter names %s, which does not exist", f)
		}
	}
}
