package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportCommand(t *testing.T) {
	path, dir := writeTestManifest(t, testManifest)
	out := filepath.Join(dir, "ds")
	if code, _, stderr := runCLI(t, "build", "--output", out, path); code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	page := filepath.Join(dir, "r.html")
	code, stdout, stderr := runCLI(t, "report", "-o", page, "--columns", "bidirectional_packets", out)
	if code != 0 || !strings.Contains(stdout, page) {
		t.Fatalf("report: exit %d\n%s%s", code, stdout, stderr)
	}
	if b, err := os.ReadFile(page); err != nil || !strings.Contains(string(b), `<section id="features">`) {
		t.Errorf("report file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "report.html")); err == nil {
		t.Error("-o ignored: report.html written in the dataset")
	}
	if code, _, _ := runCLI(t, "report", out); code != 0 {
		t.Errorf("report with the default path: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(out, "report.html")); err != nil {
		t.Errorf("default path: %v", err)
	}
	code, _, stderr = runCLI(t, "report", "--columns", "src_ip", out)
	if code != 1 || !strings.Contains(stderr, "src_ip is not a numeric column") {
		t.Errorf("report --columns src_ip: exit %d: %s", code, stderr)
	}
	if code, _, _ := runCLI(t, "report"); code != 2 {
		t.Errorf("report without DATASET: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, "verify", out); code != 0 {
		t.Errorf("verify with report.html in the dataset: exit %d", code)
	}
	// A new build takes the old report away: it described other rows.
	if code, _, stderr := runCLI(t, "build", "--force", "--output", out, path); code != 0 {
		t.Fatalf("rebuild: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "report.html")); err == nil {
		t.Error("report.html of the previous build survived a rebuild")
	}
}
