package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var bundledCaptures, _ = filepath.Abs("../../testdata/captures")

// testManifest is a small manifest over the bundled captures; OUT is
// replaced by the output directory.
const testManifest = `[dataset]
name = "cli-test"
version = "1"

[[input]]
path = "CAPTURES/*.pcap"

[features]
sets = ["base", "stats", "splt"]
splt = { n = 5 }

[output]
path = "OUT"
`

// writeTestManifest writes text into a fresh directory and returns the
// manifest's path and the directory.
func writeTestManifest(t *testing.T, text string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	text = strings.ReplaceAll(text, "CAPTURES", bundledCaptures)
	text = strings.ReplaceAll(text, "OUT", filepath.Join(dir, "out"))
	path := filepath.Join(dir, "m.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

// listFiles returns every file under dir with its sha256.
func listFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, path)
		sum := sha256.Sum256(b)
		out[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	return out
}

// datasetFiles is listFiles without the cache.
func datasetFiles(t *testing.T, dir string) map[string]string {
	out := listFiles(t, dir)
	for k := range out {
		if strings.HasPrefix(k, ".cache") {
			delete(out, k)
		}
	}
	return out
}

func TestBuildBadManifests(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(blocker, []byte("x"), 0o644)
	notCapture := filepath.Join(t.TempDir(), "notes.pcap")
	os.WriteFile(notCapture, []byte("these are notes, not packets"), 0o644)
	tests := []struct {
		name string
		edit func(string) string
		msg  string // in stderr
	}{
		{"syntax error", func(s string) string { return strings.Replace(s, `version = "1"`, `version = `, 1) }, "m.toml:3: syntax error"},
		{"unknown key", func(s string) string { return s + "[streamer]\nidle_timout = 5\n" }, "m.toml:15: streamer.idle_timout: unknown key"},
		{"wrong type", func(s string) string { return s + "[streamer]\nidle_timeout = \"5\"\n" }, "m.toml:15: streamer.idle_timeout: want an integer, got a string"},
		{"missing input", func(s string) string { return strings.Replace(s, "*.pcap", "missing.pcap", 1) }, "m.toml:6: input[0].path: no such file"},
		{"sha256 mismatch", func(s string) string {
			return strings.Replace(s, `*.pcap"`, "dhcp.pcap\"\nsha256 = \""+strings.Repeat("ab", 32)+"\"", 1)
		}, "m.toml:7: input[0].sha256: dhcp.pcap has sha256 2471b5420bdac826eecf8f61a2bbb4a3eb20dbfab7c02ff2be502f349f368214, the manifest pins abab"},
		{"not a capture", func(s string) string {
			return strings.Replace(s, "CAPTURES/*.pcap", notCapture, 1)
		}, "m.toml:6: input[0].path: " + notCapture + ": not a pcap or pcapng capture"},
		{"unwritable output", func(s string) string {
			return strings.Replace(s, `path = "OUT"`, `path = "`+blocker+`/out"`, 1)
		}, "output.path: cannot create " + blocker + "/out: " + blocker + " is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, dir := writeTestManifest(t, tt.edit(testManifest))
			before := listFiles(t, dir)
			for _, cmd := range []string{"validate", "plan", "build"} {
				code, _, stderr := runCLI(t, cmd, path)
				if code != 2 || !strings.Contains(stderr, tt.msg) {
					t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", cmd, code, stderr, tt.msg)
				}
			}
			if diff := cmp.Diff(before, listFiles(t, dir)); diff != "" {
				t.Errorf("files written (-before +after):\n%s", diff)
			}
			if _, err := os.Stat(blocker); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestBuildDeterministicAndCached(t *testing.T) {
	path, dir := writeTestManifest(t, testManifest)
	out1, out4 := filepath.Join(dir, "jobs1"), filepath.Join(dir, "elsewhere", "jobs4")
	if code, _, stderr := runCLI(t, "build", "--jobs", "1", "--output", out1, path); code != 0 {
		t.Fatalf("build --jobs 1: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "build", path, "--jobs", "4", "--output", out4); code != 0 {
		t.Fatalf("build --jobs 4: exit %d: %s", code, stderr)
	}
	a, b := datasetFiles(t, out1), datasetFiles(t, out4)
	if len(a) != 5 {
		t.Errorf("dataset files: %v, want part-00000.parquet, dataset.json, croissant.json, manifest.json and README.md", a)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("--jobs 1 and --jobs 4 differ (-jobs1 +jobs4):\n%s", diff)
	}

	// A rebuild with nothing changed recomputes no job and writes the same bytes.
	code, stdout, _ := runCLI(t, "plan", "--output", out1, path)
	if code != 0 || !strings.Contains(stdout, "0 job(s) to run, 3 cached") {
		t.Errorf("plan: exit %d:\n%s", code, stdout)
	}
	code, _, stderr := runCLI(t, "build", "--output", out1, path)
	if code != 0 || !strings.Contains(stderr, "(0 computed, 3 cached)") {
		t.Errorf("rebuild: exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff(a, datasetFiles(t, out1)); diff != "" {
		t.Errorf("rebuild changed files:\n%s", diff)
	}
	code, _, stderr = runCLI(t, "build", "--force", "--output", out1, path)
	if code != 0 || !strings.Contains(stderr, "(3 computed, 0 cached)") {
		t.Errorf("build --force: exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff(a, datasetFiles(t, out1)); diff != "" {
		t.Errorf("forced rebuild changed files:\n%s", diff)
	}

	// verify, verify --against, inspect, diff.
	for _, args := range [][]string{
		{"verify", out1},
		{"verify", "--against", filepath.Join(out4, "dataset.json"), out1},
		{"inspect", out1},
		{"diff", out1, out4},
	} {
		if code, stdout, stderr := runCLI(t, args...); code != 0 {
			t.Errorf("%v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}

	// One flipped byte fails verify, naming the file.
	part := filepath.Join(out4, "part-00000.parquet")
	data, _ := os.ReadFile(part)
	data[len(data)/2] ^= 0x01
	os.WriteFile(part, data, 0o644)
	code, stdout, _ = runCLI(t, "verify", out4)
	if code != 1 || !strings.Contains(stdout, "part-00000.parquet: sha256") {
		t.Errorf("verify after a flipped byte: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "verify", "--against", filepath.Join(out4, "dataset.json"), out1)
	if code != 0 {
		t.Errorf("verify --against the published dataset.json: exit %d\n%s", code, stdout)
	}
}

func TestBuildAgainstOtherSettings(t *testing.T) {
	path, dir := writeTestManifest(t, testManifest)
	other, _ := writeTestManifest(t, strings.Replace(testManifest, "splt = { n = 5 }", "splt = { n = 6 }", 1))
	outA, outB := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, r := range [][2]string{{path, outA}, {other, outB}} {
		if code, _, stderr := runCLI(t, "build", "--output", r[1], r[0]); code != 0 {
			t.Fatalf("build: %s", stderr)
		}
	}
	code, stdout, _ := runCLI(t, "verify", "--against", outA, outB)
	if code != 1 || !strings.Contains(stdout, "manifest_sha256") || !strings.Contains(stdout, "feature_sets") {
		t.Errorf("verify --against a different build: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "diff", outA, outB)
	if code != 1 || !strings.Contains(stdout, "column splt_ps:") {
		t.Errorf("diff: exit %d\n%s", code, stdout)
	}
}

func TestBuildCancelledLeavesNothing(t *testing.T) {
	path, dir := writeTestManifest(t, testManifest)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb strings.Builder
	code := run(ctx, []string{"build", path}, &out, &errb)
	if code == 0 {
		t.Fatalf("a cancelled build succeeded: %s", errb.String())
	}
	files := datasetFiles(t, filepath.Join(dir, "out"))
	if len(files) != 0 {
		t.Errorf("a cancelled build left %v", files)
	}
}

func TestFeaturesCommand(t *testing.T) {
	code, stdout, stderr := runCLI(t, "features")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"base (version 1, logic sha256:", "splt_piat_ms", "bidirectional_packets"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("features output lacks %q", want)
		}
	}
}
