package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLabelsDerivedAndSource(t *testing.T) {
	out := buildTestDataset(t, `[dataset]
name = "labels"
[[input]]
path = "CAPTURES/dns_ambiguous_names.pcap"
name = "dns"
[[input]]
files = ["CAPTURES/dhcp.pcap", "CAPTURES/google_ssl.pcap"]
[features]
[[features.derived]]
name = "bytes_per_packet"
expr = "float(bidirectional_bytes) / float(bidirectional_packets)"
type = "float"
[[label]]
kind = "rules"
default = "OTHER"
[[label.rule]]
label = "DNS"
dst_port = 53
protocol = "udp"
[output]
path = "OUT"
format = "jsonl"
drop = ["src_mac", "dst_mac"]
`, 2)
	tbl, err := ReadDataset(out)
	if err != nil {
		t.Fatal(err)
	}
	n := len(tbl.Columns)
	if diff := cmp.Diff([]string{"bytes_per_packet", "source", "label"}, tbl.Columns[n-3:]); diff != "" {
		t.Errorf("last columns (-want +got):\n%s", diff)
	}
	if slices.Contains(tbl.Columns, "src_mac") {
		t.Error("src_mac not dropped")
	}
	col := func(name string) int { return slices.Index(tbl.Columns, name) }
	type row struct {
		Source string
		ID     float64
		Label  string
		BPP    bool
	}
	var got []row
	for _, r := range tbl.Rows {
		bytes, pkts := r[col("bidirectional_bytes")].Num, r[col("bidirectional_packets")].Num
		got = append(got, row{r[col("source")].Str, r[col("id")].Num, r[col("label")].Str, r[col("bytes_per_packet")].Num == bytes/pkts})
	}
	var want []row
	for i := range 10 {
		want = append(want, row{"dns", float64(i), "DNS", true})
	}
	want = append(want, row{"dhcp.pcap", 0, "OTHER", true}, row{"dhcp.pcap", 1, "OTHER", true}, row{"dhcp.pcap", 2, "OTHER", true})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	prov, err := ReadProvenance(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(prov.Labelers) != 1 || prov.Labelers[0].Report == nil || prov.Derived == nil || len(prov.Inputs[1].Files) != 2 {
		t.Errorf("provenance: labelers %+v, derived %+v, inputs %+v", prov.Labelers, prov.Derived, prov.Inputs)
	}
}

func TestRowsPerFileAndStaleParts(t *testing.T) {
	text := `[dataset]
name = "parts"
[[input]]
path = "CAPTURES/*.pcap"
[output]
path = "OUT"
rows_per_file = 5
`
	out := buildTestDataset(t, text, 1)
	prov, err := ReadProvenance(out)
	if err != nil {
		t.Fatal(err)
	}
	var rows []int64
	for _, f := range prov.Files {
		rows = append(rows, f.Rows)
	}
	if diff := cmp.Diff([]int64{5, 5, 3}, rows); diff != "" {
		t.Errorf("rows per file (-want +got):\n%s", diff)
	}
	if diffs, err := Verify(out, ""); err != nil || len(diffs) > 0 {
		t.Errorf("verify: %v %v", diffs, err)
	}
	// Rebuild into the same directory with one file: the old parts go.
	m, err := Parse("m.toml", filepath.Dir(out), []byte(strings.ReplaceAll(strings.ReplaceAll(text, "rows_per_file = 5", "rows_per_file = 0"), "CAPTURES", captures)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan(context.Background(), m, PlanOptions{Output: out})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Build(context.Background(), p, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Computed != 0 || len(sum.Files) != 1 {
		t.Errorf("rebuild: computed %d jobs, %d files", sum.Computed, len(sum.Files))
	}
	if diffs, err := Verify(out, ""); err != nil || len(diffs) > 0 {
		t.Errorf("verify after rebuild: %v %v", diffs, err)
	}
}

// TestCleanUp: dedup_window removes a capture's repeated copy; reorder
// puts a later file's earlier frames first.
func TestCleanUp(t *testing.T) {
	rows := func(inputs string) ([][]Cell, *Provenance) {
		out := buildTestDataset(t, "[dataset]\nname = \"c\"\n"+inputs+"[output]\npath = \"OUT\"\nformat = \"csv\"\n", 1)
		tbl, err := ReadDataset(out)
		if err != nil {
			t.Fatal(err)
		}
		prov, err := ReadProvenance(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range tbl.Rows {
			r[len(r)-1] = Cell{} // source
		}
		return tbl.Rows, prov
	}
	once, _ := rows("[[input]]\npath = \"CAPTURES/dhcp.pcap\"\n")
	deduped, prov := rows("[[input]]\nfiles = [\"CAPTURES/dhcp.pcap\", \"CAPTURES/dhcp.pcap\"]\ndedup_window = 10\n")
	if diff := cmp.Diff(once, deduped); diff != "" {
		t.Errorf("dhcp.pcap twice, deduplicated (-once +twice):\n%s", diff)
	}
	if got := prov.Inputs[0].Stats.Duplicates; got != 4 {
		t.Errorf("duplicates dropped: %d, want 4", got)
	}
	inOrder, _ := rows("[[input]]\nfiles = [\"CAPTURES/dhcp.pcap\", \"CAPTURES/dns_ambiguous_names.pcap\"]\n")
	reordered, _ := rows("[[input]]\nfiles = [\"CAPTURES/dns_ambiguous_names.pcap\", \"CAPTURES/dhcp.pcap\"]\nreorder = true\n")
	if diff := cmp.Diff(inOrder, reordered); diff != "" {
		t.Errorf("reordered (-in order +reordered):\n%s", diff)
	}
}

// TestDamagedCaptureWarning: a truncated capture keeps its flows, and the
// warning in dataset.json names the file without its directory.
func TestDamagedCaptureWarning(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(captures, "google_ssl.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cut.pcap"), data[:len(data)-100], 0o644)
	out := buildTestDataset(t, "[dataset]\nname = \"w\"\n[[input]]\npath = \""+dir+"/cut.pcap\"\n[output]\npath = \"OUT\"\n", 1)
	prov, err := ReadProvenance(out)
	if err != nil {
		t.Fatal(err)
	}
	w := prov.Inputs[0].Warnings
	if len(w) != 1 || !strings.HasPrefix(w[0], "cut.pcap: packet ") || strings.Contains(w[0], dir) || prov.Rows != 1 {
		t.Errorf("warnings %q, rows %d", w, prov.Rows)
	}
}

func TestBuildLockAndDigestCache(t *testing.T) {
	dir := t.TempDir()
	capture := filepath.Join(dir, "in.pcap")
	data, err := os.ReadFile(filepath.Join(captures, "dhcp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(capture, data, 0o644)
	m, err := Parse("m.toml", dir, []byte("[dataset]\nname = \"l\"\n[[input]]\npath = \"in.pcap\"\n[output]\npath = \"out\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	plan := func() *Plan {
		p, err := MakePlan(context.Background(), m, PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := plan()
	if _, err := Build(context.Background(), p, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	// A second build while the first holds the lock fails.
	unlock, err := lockDir(p.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), plan(), BuildOptions{}); err == nil || !strings.Contains(err.Error(), "another build") {
		t.Errorf("concurrent build: %v", err)
	}
	unlock()
	// The digest cache knows the file; a new modification time makes it
	// hash the file again (and find a new digest when the bytes changed).
	if _, _, ok := loadDigests(p.OutDir).lookup(capture); !ok {
		t.Error("digest not cached")
	}
	data[len(data)-1] ^= 0xff
	os.WriteFile(capture, data, 0o644)
	future := time.Now().Add(time.Hour)
	os.Chtimes(capture, future, future)
	if got := plan().Jobs[0].Files[0].SHA256; got == p.Jobs[0].Files[0].SHA256 {
		t.Error("a modified file kept its cached digest")
	}
}

// TestCancelMidJob: cancelling while a job runs (Ctrl-C) publishes nothing
// and leaves no temporary file behind.
func TestCancelMidJob(t *testing.T) {
	dir := t.TempDir()
	files := make([]string, 3000)
	for i := range files {
		files[i] = `"` + filepath.Join(captures, "dns_ambiguous_names.pcap") + `"`
	}
	m, err := Parse("m.toml", dir, []byte("[dataset]\nname = \"c\"\n[[input]]\nfiles = ["+strings.Join(files, ", ")+"]\n[output]\npath = \"out\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan(context.Background(), m, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	prog := &Progress{}
	go func() {
		for prog.Snapshot().Flows == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err = Build(ctx, p, BuildOptions{Progress: prog})
	if err == nil {
		t.Skip("the job finished before it could be cancelled")
	}
	if ctx.Err() == nil {
		t.Fatalf("build failed on its own: %v", err)
	}
	t.Logf("cancelled: %v", err)
	var left []string
	filepath.WalkDir(filepath.Join(dir, "out"), func(path string, d os.DirEntry, err error) error {
		// Finished cache entries may stay (the next build reuses them);
		// temporary files and dataset files may not.
		rel, _ := filepath.Rel(filepath.Join(dir, "out"), path)
		if err == nil && !d.IsDir() && (!strings.HasPrefix(rel, ".cache") || strings.Contains(rel, ".tmp")) {
			left = append(left, rel)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("a cancelled build left %v", left)
	}
}
