package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// buildInto plans and builds the manifest text (CAPTURES, OUT replaced)
// into out, as `nfdataset build` does when hashWhileMetering is set.
func buildInto(t *testing.T, text, out string, opts PlanOptions, bopts BuildOptions) *Summary {
	t.Helper()
	dir := t.TempDir()
	text = strings.ReplaceAll(strings.ReplaceAll(text, "CAPTURES", captures), "OUT", out)
	path := filepath.Join(dir, "m.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan(context.Background(), m, opts)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Build(context.Background(), p, bopts)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// datasetFiles reads every file of a dataset folder except the cache.
func datasetFiles(t *testing.T, out string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(out, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	return files
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// A fresh build hashes its inputs while it meters them and streams its one
// job's rows into the parts: the bytes must be those of a build that hashed
// first and assembled the dataset from the cache, and the digests those of
// the whole files, even when metering stops early (max_nflows) or a file of
// the job is damaged.
func TestBuildStreamingMatchesAssembly(t *testing.T) {
	damaged := filepath.Join(t.TempDir(), "cut.pcap")
	whole, err := os.ReadFile(filepath.Join(captures, "google_ssl.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(damaged, whole[:len(whole)-37], 0o644); err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"labels, derived, several parts": `[dataset]
name = "stream"
[[input]]
path = "CAPTURES/dns_ambiguous_names.pcap"
[features]
sets = ["base", "stats", "splt"]
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
[output]
path = "OUT"
format = "parquet"
rows_per_file = 3
`,
		"max_nflows stops the reader early": `[dataset]
name = "stream"
[[input]]
path = "CAPTURES/google_ssl.pcap"
[streamer]
max_nflows = 2
[output]
path = "OUT"
format = "parquet"
`,
		"a damaged file first in the job, csv": `[dataset]
name = "stream"
[[input]]
files = ["` + damaged + `", "CAPTURES/dhcp.pcap"]
[output]
path = "OUT"
format = "csv"
rows_per_file = 2
`,
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			streamed := filepath.Join(t.TempDir(), "out")
			sum := buildInto(t, text, streamed, PlanOptions{HashWhileMetering: true, Force: true}, BuildOptions{Force: true})
			if sum.Computed != 1 {
				t.Fatalf("computed %d jobs, want 1", sum.Computed)
			}
			// The same dataset, assembled from the cache: the job is cached,
			// so the rows are read back from it.
			for _, f := range sum.Files {
				os.Remove(filepath.Join(streamed, f.Path))
			}
			os.Remove(filepath.Join(streamed, ProvenanceFile))
			again := buildInto(t, text, streamed, PlanOptions{}, BuildOptions{})
			if again.Cached != 1 {
				t.Fatalf("second build: %d cached jobs, want 1", again.Cached)
			}
			assembled := datasetFiles(t, streamed)

			// And hashed before metering, into a folder of its own.
			hashedFirst := filepath.Join(t.TempDir(), "out")
			buildInto(t, text, hashedFirst, PlanOptions{}, BuildOptions{})
			upfront := datasetFiles(t, hashedFirst)
			if diff := cmp.Diff(upfront, assembled); diff != "" {
				t.Fatalf("cached assembly differs from a build that hashed first (-first +cached):\n%.2000s", diff)
			}

			again2 := filepath.Join(t.TempDir(), "out")
			buildInto(t, text, again2, PlanOptions{HashWhileMetering: true, Force: true}, BuildOptions{Force: true})
			if diff := cmp.Diff(upfront, datasetFiles(t, again2)); diff != "" {
				t.Errorf("streamed build differs from a build that hashed first (-first +streamed):\n%.2000s", diff)
			}
			prov, err := ReadProvenance(again2)
			if err != nil {
				t.Fatal(err)
			}
			var got, want []string
			for _, in := range prov.Inputs {
				for _, f := range in.Files {
					got = append(got, f.Name+" "+f.SHA256)
				}
			}
			for _, path := range sumPaths(t, text) {
				want = append(want, filepath.Base(path)+" "+fileSHA256(t, path))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("input digests (-sha256 of the files +dataset.json):\n%s", diff)
			}
		})
	}
}

// sumPaths lists the capture paths a test manifest names.
func sumPaths(t *testing.T, text string) []string {
	t.Helper()
	var paths []string
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "path = \"CAPTURES/"):
			paths = append(paths, filepath.Join(captures, strings.TrimSuffix(strings.TrimPrefix(line, "path = \"CAPTURES/"), "\"")))
		case strings.HasPrefix(line, "files = "):
			for _, f := range strings.Split(strings.Trim(strings.TrimPrefix(line, "files = "), "[]"), ",") {
				f = strings.Trim(strings.TrimSpace(f), "\"")
				paths = append(paths, strings.ReplaceAll(f, "CAPTURES", captures))
			}
		}
	}
	return paths
}
