package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const ownCapture = "../../testdata/nfstream/google_ssl.pcap"

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestFlowsExitCodes(t *testing.T) {
	dir := t.TempDir()
	notCapture := filepath.Join(dir, "notes.txt")
	os.WriteFile(notCapture, []byte("hello, this is not a capture"), 0o644)
	data, err := os.ReadFile(ownCapture)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "trunc.pcap")
	os.WriteFile(truncated, data[:3000], 0o644)
	for _, c := range []struct {
		name    string
		args    []string
		code    int
		message string
	}{
		{"missing source", []string{"flows", "-o", filepath.Join(dir, "a.csv"), filepath.Join(dir, "nope.pcap")}, 2, "no such file"},
		{"no source", []string{"flows"}, 2, "no SOURCE"},
		{"bad accounting mode", []string{"flows", "--accounting-mode", "5", ownCapture}, 2, "accounting-mode"},
		{"negative idle", []string{"flows", "--idle-timeout", "-1", ownCapture}, 2, "idle-timeout"},
		{"non-int active", []string{"flows", "--active-timeout", "active", ownCapture}, 2, "active-timeout"},
		{"n_dissections 256", []string{"flows", "--n-dissections", "256", ownCapture}, 2, "n-dissections"},
		{"splt 70000", []string{"flows", "--splt-analysis", "70000", ownCapture}, 2, "splt-analysis"},
		{"negative meters", []string{"flows", "--n-meters", "-1", ownCapture}, 2, "n-meters"},
		{"negative max", []string{"flows", "--max-nflows", "-1", ownCapture}, 2, "max-nflows"},
		{"zero snaplen", []string{"flows", "--snapshot-length", "0", ownCapture}, 2, "snapshot-length"},
		{"bad format", []string{"flows", "--format", "xml", ownCapture}, 2, "format"},
		{"not a capture", []string{"flows", "--n-dissections", "0", "-o", filepath.Join(dir, "b.csv"), notCapture}, 1, "notes.txt"},
		{"truncated warns", []string{"flows", "--n-dissections", "0", "-o", filepath.Join(dir, "c.csv"), truncated}, 0, "packet 10"},
		{"truncated strict", []string{"flows", "--n-dissections", "0", "--strict", "-o", filepath.Join(dir, "d.csv"), truncated}, 1, "packet 10"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, c.code, stderr)
			}
			if !strings.Contains(stderr, c.message) {
				t.Errorf("stderr %q does not mention %q", stderr, c.message)
			}
		})
	}
	for _, name := range []string{"a.csv", "b.csv", "d.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s written by a failed run", name)
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(matches) > 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

// TestFlowsCSV checks the CSV against NFStream's own output for the same
// capture: RFC 4180 readable, same header, same values.
func TestFlowsCSV(t *testing.T) {
	out := filepath.Join(t.TempDir(), "flows.csv")
	code, _, stderr := runCLI(t, "flows", "--n-dissections", "0", "--statistical-analysis", "--splt-analysis", "10", "-o", out, ownCapture)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("not RFC 4180: %v", err)
	}
	golden, err := os.ReadFile("../../goldens/nfstream/full/google_ssl.pcap.csv")
	if err != nil {
		t.Fatal(err)
	}
	// NFStream quotes every string; without the DPI columns and the quotes
	// the first 80 fields must be identical text.
	gl := strings.Split(strings.TrimSpace(string(golden)), "\n")
	wantHeader := strings.Split(gl[0], ",")[:80]
	if got := strings.Join(rows[0], ","); got != strings.Join(wantHeader, ",") {
		t.Fatalf("header\n got %s\nwant %s", got, strings.Join(wantHeader, ","))
	}
	wantRow, _ := csv.NewReader(strings.NewReader(gl[1])).Read()
	if got, want := strings.Join(rows[1], "|"), strings.Join(wantRow[:80], "|"); got != want {
		t.Errorf("row\n got %s\nwant %s", got, want)
	}
}

func TestFlowsDevNullStaysDevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to check that /dev/null is not replaced")
	}
	code, _, stderr := runCLI(t, "flows", "--n-dissections", "0", "-o", "/dev/null", ownCapture)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	st, err := os.Stat("/dev/null")
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a character device: %v %v", st.Mode(), err)
	}
}

func TestFlowsParallelSameBytes(t *testing.T) {
	dir := t.TempDir()
	var outs []string
	for _, n := range []string{"1", "2", "4"} {
		o := filepath.Join(dir, "m"+n+".jsonl")
		code, _, stderr := runCLI(t, "flows", "--n-dissections", "0", "--statistical-analysis", "--n-meters", n, "--format", "jsonl", "-o", o,
			"../../testdata/nfstream/gtp-u.pcap", ownCapture)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		b, _ := os.ReadFile(o)
		outs = append(outs, string(b))
	}
	if outs[0] != outs[1] || outs[0] != outs[2] || len(outs[0]) == 0 {
		t.Errorf("outputs differ between 1, 2 and 4 meters")
	}
}

// TestFlowsBPF is NFStream's own bpf test: facebook.pcap filtered on
// "src port 52066 or dst port 52066" gives one flow with src_port 52066.
func TestFlowsBPF(t *testing.T) {
	capture := "../../../shared/corpus/nfstream/pcaps/facebook.pcap"
	if _, err := os.Stat(capture); err != nil {
		t.Skip("../shared is absent")
	}
	out := filepath.Join(t.TempDir(), "f.csv")
	code, _, stderr := runCLI(t, "flows", "--n-dissections", "0", "--bpf-filter", "src port 52066 or dst port 52066", "-o", out, capture)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, _ := os.Open(out)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("want one flow, got %d rows (%v)", len(rows)-1, err)
	}
	if got := rows[1][5]; got != "52066" {
		t.Errorf("src_port %s, want 52066", got)
	}
	if code, _, stderr := runCLI(t, "flows", "--bpf-filter", "protochain 6", "-o", out, capture); code != 2 {
		t.Errorf("unsupported filter: exit %d, want 2 (%s)", code, stderr)
	}
}

func TestFlowsPlugins(t *testing.T) {
	out := filepath.Join(t.TempDir(), "p.csv")
	code, _, stderr := runCLI(t, "flows", "--n-dissections", "0", "--plugin", "slicer:limit=4", "-o", out, ownCapture)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, _ := os.Open(out)
	defer f.Close()
	rows, _ := csv.NewReader(f).ReadAll()
	// NFStream: FlowSlicer(limit=4) on google_ssl.pcap gives 7 flows.
	if len(rows)-1 != 7 {
		t.Errorf("%d flows, want 7", len(rows)-1)
	}
	if code, _, _ := runCLI(t, "flows", "--plugin", "nosuch", ownCapture); code != 2 {
		t.Errorf("unknown plugin: exit %d, want 2", code)
	}
}

// TestFlowsSystemVisibility follows NFStream: one file resets the mode to
// 0 (no columns); a list of files keeps the columns with -1 and "".
func TestFlowsSystemVisibility(t *testing.T) {
	dir := t.TempDir()
	one := filepath.Join(dir, "one.csv")
	code, _, stderr := runCLI(t, "flows", "--n-dissections", "0", "--system-visibility-mode", "1", "-o", one, ownCapture)
	if code != 0 || !strings.Contains(stderr, "reset to 0") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	b, _ := os.ReadFile(one)
	if strings.Contains(string(b), "system_process") {
		t.Errorf("single file: system columns present")
	}
	two := filepath.Join(dir, "two.csv")
	if code, _, stderr := runCLI(t, "flows", "--n-dissections", "0", "--system-visibility-mode", "1", "-o", two, ownCapture, ownCapture); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, _ := os.Open(two)
	defer f.Close()
	rows, _ := csv.NewReader(f).ReadAll()
	h := rows[0]
	if h[len(h)-2] != "system_process_pid" || h[len(h)-1] != "system_process_name" {
		t.Fatalf("last columns %v", h[len(h)-2:])
	}
	if r := rows[1]; r[len(r)-2] != "-1" || r[len(r)-1] != "" {
		t.Errorf("defaults %v, want -1 and empty", r[len(r)-2:])
	}
	if code, _, _ := runCLI(t, "flows", "--system-visibility-mode", "2", ownCapture); code != 2 {
		t.Errorf("mode 2: exit %d, want 2", code)
	}
}
