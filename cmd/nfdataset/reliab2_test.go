package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// More regression tests for issue 12's defects (see reliab_test.go).

// truncatedCapture is google_ssl.pcap cut inside its last packet: reading
// it raises a damaged-capture warning.
func truncatedCapture(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(ownCapture)
	if err != nil {
		t.Fatal(err)
	}
	return data[:len(data)-10]
}

// Defect 1: copies of one damaged capture under different names give the
// same bytes whatever --jobs and whatever the cache held before, and each
// input's warning names its own file.
func TestBuildDeterministicWithWarnings(t *testing.T) {
	data := truncatedCapture(t)
	caps := t.TempDir()
	names := []string{"a.pcap", "b.pcap", "c1.pcap", "c2.pcap", "c3.pcap", "c4.pcap"}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(caps, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	all := strings.Replace(testManifest, "CAPTURES/*.pcap", filepath.Join(caps, "*.pcap"), 1)
	build := func(manifest string, args ...string) map[string]string {
		t.Helper()
		code, _, stderr := runCLI(t, append(append([]string{"build"}, args...), manifest)...)
		if code != 0 {
			t.Fatalf("build %v: exit %d: %s", args, code, stderr)
		}
		return datasetFiles(t, filepath.Join(filepath.Dir(manifest), "out"))
	}
	path, dir := writeTestManifest(t, all)
	want := build(path, "--jobs", "4")

	// Every input's warning names that input's file.
	var prov struct {
		Inputs []struct {
			Name     string   `json:"name"`
			Warnings []string `json:"warnings"`
		} `json:"inputs"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "out", "dataset.json"))
	if err := json.Unmarshal(b, &prov); err != nil {
		t.Fatal(err)
	}
	if len(prov.Inputs) != len(names) {
		t.Fatalf("%d inputs, want %d", len(prov.Inputs), len(names))
	}
	for _, in := range prov.Inputs {
		if len(in.Warnings) != 1 || !strings.HasPrefix(in.Warnings[0], in.Name+": packet ") {
			t.Errorf("input %s: warnings %q, want one naming %s", in.Name, in.Warnings, in.Name)
		}
	}

	for i, args := range [][]string{{"--jobs", "4"}, {"--jobs", "4"}, {"--jobs", "1"}, {"--jobs", "3"}} {
		p, _ := writeTestManifest(t, all)
		if diff := cmp.Diff(want, build(p, args...)); diff != "" {
			t.Errorf("fresh build %d %v differs (-first +this):\n%s", i, args, diff)
		}
	}
	// Cache history: a.pcap alone first, then all of them, into one folder;
	// also b.pcap alone after the others.
	for _, first := range []string{"a.pcap", "c4.pcap"} {
		p, _ := writeTestManifest(t, strings.Replace(testManifest, "CAPTURES/*.pcap", filepath.Join(caps, first), 1))
		build(p, "--jobs", "2")
		os.WriteFile(p, []byte(strings.ReplaceAll(strings.ReplaceAll(all, "OUT", filepath.Join(filepath.Dir(p), "out")), "CAPTURES", bundledCaptures)), 0o644)
		if diff := cmp.Diff(want, build(p, "--jobs", "4")); diff != "" {
			t.Errorf("build after %s alone differs (-fresh +this):\n%s", first, diff)
		}
	}
}
