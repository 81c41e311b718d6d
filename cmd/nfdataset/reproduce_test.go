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
