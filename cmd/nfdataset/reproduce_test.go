package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyCaptures copies the quickstart captures to a fresh directory.
func copyCaptures(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "captures")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"dhcp.pcap", "dns_ambiguous_names.pcap", "google_ssl.pcap"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/captures", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestReproduceQuickstart rebuilds the published copy of the quickstart
// in goldens/ from its manifest.json and the captures, and fails naming
// the input when one capture has changed.
func TestReproduceQuickstart(t *testing.T) {
	captures := copyCaptures(t)
	out := filepath.Join(t.TempDir(), "rebuilt")
	code, stdout, stderr := runCLI(t, "reproduce", "--inputs", captures, "--output", out, "../../goldens/quickstart")
	if code != 0 {
		t.Fatalf("reproduce: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "every file matches the published dataset.json") {
		t.Errorf("stdout: %s", stdout)
	}
	if code, stdout, stderr := runCLI(t, "verify", "--against", "../../goldens/quickstart/dataset.json", out); code != 0 {
		t.Errorf("verify --against: exit %d\n%s%s", code, stdout, stderr)
	}

	// One byte of one capture changed: reproduce names it and builds nothing.
	path := filepath.Join(captures, "dhcp.pcap")
	b, _ := os.ReadFile(path)
	b[len(b)-1] ^= 0xff
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(t.TempDir(), "rebuilt")
	code, stdout, stderr = runCLI(t, "reproduce", "--inputs", captures, "--output", out2, "../../goldens/quickstart")
	if code != 1 {
		t.Fatalf("reproduce with a changed input: exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "input dhcp.pcap: dhcp.pcap: differs") || !strings.Contains(stderr, "1 input file(s) missing or different") {
		t.Errorf("report does not name the changed input:\n%s%s", stdout, stderr)
	}
	if _, err := os.Stat(out2); err == nil {
		t.Errorf("%s written although an input differs", out2)
	}

	// A missing input is named too.
	os.Remove(path)
	code, stdout, _ = runCLI(t, "reproduce", "--inputs", captures, "--output", out2, "../../goldens/quickstart")
	if code != 1 || !strings.Contains(stdout, "input dhcp.pcap: dhcp.pcap: missing") {
		t.Errorf("reproduce with a missing input: exit %d\n%s", code, stdout)
	}
}

// truthCSV labels two quickstart flows (their 5-tuples and first-packet
// times read from goldens/quickstart/rows.csv).
const truthCSV = `Source IP,Source Port,Destination IP,Destination Port,Protocol,Timestamp,Label
0.0.0.0,68,255.255.255.255,67,17,05/12/2004 19:16:24,DHCP-DISCOVER
10.200.2.11,48375,8.8.8.8,53,17,08/07/2021 11:35:23,DNS-FIRST
`

// TestReproduceGroundTruth publishes a dataset whose csv labeler reads a
// ground-truth file beside the manifest, then reproduces it from a flat
// folder holding the captures and that file: reproduce must put the file
// where the manifest names it, name it when it is missing, and fail
// verification when it differs.
func TestReproduceGroundTruth(t *testing.T) {
	root := t.TempDir()
	captures := copyCaptures(t)
	for _, name := range []string{"dhcp.pcap", "dns_ambiguous_names.pcap", "google_ssl.pcap"} {
		b, _ := os.ReadFile(filepath.Join(captures, name))
		os.MkdirAll(filepath.Join(root, "captures"), 0o755)
		os.WriteFile(filepath.Join(root, "captures", name), b, 0o644)
	}
	os.MkdirAll(filepath.Join(root, "truth"), 0o755)
	if err := os.WriteFile(filepath.Join(root, "truth", "gt.csv"), []byte(truthCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(root, "m.toml")
	os.WriteFile(manifest, []byte(`[dataset]
name = "truth"
version = "1"

[[input]]
path = "captures/*.pcap"

[[label]]
kind = "csv"
path = "truth/gt.csv"
default = "OTHER"

[features]
sets = ["base"]

[output]
path = "published"
`), 0o644)
	if code, _, stderr := runCLI(t, "build", manifest); code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	published := filepath.Join(root, "published")
	if b, _ := os.ReadFile(filepath.Join(published, "dataset.json")); !strings.Contains(string(b), "DNS-FIRST") {
		t.Fatalf("the published dataset.json does not mention the label DNS-FIRST: the labeler matched nothing")
	}

	// The reader's folder is flat: captures and ground truth side by side.
	inputs := t.TempDir()
	for _, name := range []string{"dhcp.pcap", "dns_ambiguous_names.pcap", "google_ssl.pcap"} {
		b, _ := os.ReadFile(filepath.Join(captures, name))
		os.WriteFile(filepath.Join(inputs, name), b, 0o644)
	}
	gt := filepath.Join(inputs, "gt.csv")
	os.WriteFile(gt, []byte(truthCSV), 0o644)
	out := filepath.Join(t.TempDir(), "rebuilt")
	code, stdout, stderr := runCLI(t, "reproduce", "--inputs", inputs, "--output", out, published)
	if code != 0 {
		t.Fatalf("reproduce: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "label[0] path truth/gt.csv: found "+gt) {
		t.Errorf("stdout does not say where the ground truth was found:\n%s", stdout)
	}

	// Missing: named, nothing built.
	os.Remove(gt)
	out2 := filepath.Join(t.TempDir(), "rebuilt")
	code, stdout, _ = runCLI(t, "reproduce", "--inputs", inputs, "--output", out2, published)
	if code != 1 || !strings.Contains(stdout, "label[0] path truth/gt.csv: missing") {
		t.Errorf("reproduce without the ground truth: exit %d, want 1 naming label[0] path truth/gt.csv\n%s", code, stdout)
	}
	if _, err := os.Stat(out2); err == nil {
		t.Errorf("%s written although the ground truth is missing", out2)
	}

	// Different: the rebuilt labels differ from the published parts.
	os.WriteFile(gt, []byte(strings.Replace(truthCSV, "DNS-FIRST", "DNS-OTHER", 1)), 0o644)
	code, stdout, stderr = runCLI(t, "reproduce", "--inputs", inputs, "--output", filepath.Join(t.TempDir(), "rebuilt"), published)
	if code != 1 || !strings.Contains(stderr, "does not reproduce") {
		t.Errorf("reproduce with another ground truth: exit %d, want 1 and \"does not reproduce\"\n%s%s", code, stdout, stderr)
	}
}
