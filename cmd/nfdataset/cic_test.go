package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateCICRecipes: `nfdataset validate manifests/cic.toml` passes
// when ${CIC_IDS2017_DIR} holds the five daily captures (under the names
// the dataset distributes, Wednesday's odd capitalisation included), and
// names the missing file when one is absent.
func TestValidateCICRecipes(t *testing.T) {
	capture, err := os.ReadFile(ownCapture)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	days := []string{"Monday-WorkingHours.pcap", "Tuesday-WorkingHours.pcap", "Wednesday-workingHours.pcap",
		"Thursday-WorkingHours.pcap", "Friday-WorkingHours.pcap"}
	for _, d := range days {
		if err := os.WriteFile(filepath.Join(dir, d), capture, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("CIC_IDS2017_DIR", dir)
	for _, m := range []string{"../../manifests/cic.toml", "../../manifests/cic-nfstream.toml"} {
		if code, _, stderr := runCLI(t, "validate", m); code != 0 {
			t.Errorf("validate %s with all five files: exit %d: %s", m, code, stderr)
		}
	}
	os.Remove(filepath.Join(dir, "Thursday-WorkingHours.pcap"))
	code, _, stderr := runCLI(t, "validate", "../../manifests/cic.toml")
	if code != 2 || !strings.Contains(stderr, "Thursday-WorkingHours.pcap") {
		t.Errorf("validate without Thursday: exit %d, stderr %q; want 2 naming the file", code, stderr)
	}
}
