package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
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

// Defect 6: what a build killed while publishing leaves (its temporary
// parts, no dataset.json, the publish marker) is reported by verify and
// inspect and cleaned by the next build; files of a process that holds the
// lock, of shards and of a live capture's work area are left alone.
func TestBuildCleansAfterKilledPublish(t *testing.T) {
	path, dir := writeTestManifest(t, testManifest)
	out := filepath.Join(dir, "out")
	if code, _, stderr := runCLI(t, "build", path); code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	want := datasetFiles(t, out)
	part, err := os.ReadFile(filepath.Join(out, "part-00000.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	// The names stages.CreateOutput and writeFileAtomic write under.
	strays := []string{".part-00000.parquet.tmp-3k2j1h", ".part-00001.parquet.tmp-a9", ".dataset.json.tmp-zz1"}
	// Not strays: a shard's file and a live capture's unfinished part.
	others := []string{".shards/0-of-2/.abc.tmp-1", ".cache/live/part-00003.parquet"}
	plant := func() {
		for _, name := range append(append([]string(nil), strays...), others...) {
			os.MkdirAll(filepath.Dir(filepath.Join(out, name)), 0o755)
			if err := os.WriteFile(filepath.Join(out, name), part[:len(part)/2], 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	plant()

	// verify names each stray file, and nothing under .cache/ or .shards/.
	code, stdout, stderr := runCLI(t, "verify", out)
	if code == 0 {
		t.Errorf("verify with stray files: exit 0")
	}
	for _, name := range strays {
		if !strings.Contains(stdout, name+": stray temporary file") {
			t.Errorf("verify does not report %s: %q %q", name, stdout, stderr)
		}
	}
	for _, name := range others {
		if strings.Contains(stdout, filepath.Base(name)) {
			t.Errorf("verify reports %s: %q", name, stdout)
		}
	}

	// While another process holds the lock (a build, a live capture
	// rewriting dataset.json), its temporary files are not strays and a
	// build removes nothing.
	lock, err := os.Open(filepath.Join(out, ".cache", "lock"))
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ := runCLI(t, "verify", out); code != 0 || strings.Contains(stdout, "stray") {
		t.Errorf("verify while the lock is held: exit %d, %q", code, stdout)
	}
	if code, _, _ := runCLI(t, "build", path); code == 0 {
		t.Error("build while the lock is held succeeded")
	}
	for _, name := range strays {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("%s of the process holding the lock was removed", name)
		}
	}
	unix.Flock(int(lock.Fd()), unix.LOCK_UN)
	lock.Close()

	// The next build removes the strays and nothing else.
	if code, _, stderr := runCLI(t, "build", path); code != 0 {
		t.Fatalf("build after the kill: exit %d: %s", code, stderr)
	}
	for _, name := range strays {
		if _, err := os.Stat(filepath.Join(out, name)); err == nil {
			t.Errorf("%s is still there after the next build", name)
		}
	}
	if _, err := os.Stat(filepath.Join(out, others[0])); err != nil {
		t.Errorf("a shard's file was removed: %v", err)
	}
	os.RemoveAll(filepath.Join(out, ".shards"))
	if code, stdout, _ := runCLI(t, "verify", out); code != 0 {
		t.Errorf("verify after the cleaning build: exit %d: %s", code, stdout)
	}

	// Killed between the removal of dataset.json and the new one: the
	// publish marker is there, inspect and verify say the build was
	// interrupted, and the next build publishes the same dataset.
	plant()
	os.Remove(filepath.Join(out, "dataset.json"))
	os.Remove(filepath.Join(out, "part-00000.parquet"))
	os.WriteFile(filepath.Join(out, ".cache", "publishing"), []byte("pid 1\n"), 0o644)
	for _, cmd := range []string{"inspect", "verify"} {
		code, stdout, stderr := runCLI(t, cmd, out)
		if code == 0 || !strings.Contains(stdout+stderr, "interrupted while publishing") {
			t.Errorf("%s on an interrupted publish: exit %d, %q %q", cmd, code, stdout, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "build", path); code != 0 {
		t.Fatalf("build after the interrupted publish: exit %d: %s", code, stderr)
	}
	os.RemoveAll(filepath.Join(out, ".shards"))
	if diff := cmp.Diff(want, datasetFiles(t, out)); diff != "" {
		t.Errorf("the next build's dataset differs from the first (-first +next):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(out, ".cache", "publishing")); err == nil {
		t.Error("the publish marker stayed after a complete build")
	}
	for _, cmd := range []string{"inspect", "verify"} {
		if code, stdout, stderr := runCLI(t, cmd, out); code != 0 || strings.Contains(stdout+stderr, "interrupted") {
			t.Errorf("%s after the finishing build: exit %d, %q %q", cmd, code, stdout, stderr)
		}
	}
}
