package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/pipeline"
)

// readCSVFile returns a CSV file's header and rows.
func readCSVFile(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: %v (%d lines)", path, err, len(rows))
	}
	return rows[0], rows[1:]
}

// columns projects rows onto the named columns.
func columns(t *testing.T, header []string, rows [][]string, names ...string) [][]string {
	t.Helper()
	idx := make([]int, len(names))
	for i, n := range names {
		idx[i] = -1
		for j, h := range header {
			if h == n {
				idx[i] = j
			}
		}
		if idx[i] < 0 {
			t.Fatalf("no column %s in %v", n, header)
		}
	}
	out := make([][]string, len(rows))
	for r, row := range rows {
		for _, i := range idx {
			out[r] = append(out[r], row[i])
		}
	}
	return out
}

// TestFlowsPerFile checks --flows-per-file and --rotate-files against
// NFStream's to_csv(flows_per_file=10[, rotate_files=3]) on 1kxun.pcap,
// whose 129 flows NFStream writes as out.0.csv … out.12.csv (the last with
// 9 flows), or with rotate_files=3 as three files, out.0.csv holding
// chunk 12 (the reference, §8.2). Each chunk's ids, packets and bytes are
// checked against NFStream's own result for the capture.
func TestFlowsPerFile(t *testing.T) {
	capture := "../../../shared/corpus/nfstream/pcaps/1kxun.pcap"
	if _, err := os.Stat(capture); err != nil {
		t.Skipf("corpus not found: %v", err)
	}
	rh, rrows := readCSVFile(t, "../../../shared/corpus/nfstream/results/1kxun.pcap")
	want := columns(t, rh, rrows, "id", "bidirectional_packets", "bidirectional_bytes")
	if len(want) != 129 {
		t.Fatalf("NFStream's result has %d flows, the reference says 129", len(want))
	}
	for _, c := range []struct {
		rotate int
		files  []int // chunk held by out.<i>.csv
	}{
		{0, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{3, []int{12, 10, 11}},
	} {
		t.Run(fmt.Sprintf("rotate_files=%d", c.rotate), func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"flows", "--flows-per-file", "10", "-o", filepath.Join(dir, "out.csv"), capture}
			if c.rotate > 0 {
				args = append(args, "--rotate-files", strconv.Itoa(c.rotate))
			}
			if code, _, stderr := runCLI(t, args...); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			var wantNames []string
			for i := range c.files {
				wantNames = append(wantNames, fmt.Sprintf("out.%d.csv", i))
			}
			if d := cmp.Diff(slices.Sorted(slices.Values(wantNames)), slices.Sorted(slices.Values(names))); d != "" {
				t.Fatalf("files (-want +got):\n%s", d)
			}
			for i, chunk := range c.files {
				h, rows := readCSVFile(t, filepath.Join(dir, fmt.Sprintf("out.%d.csv", i)))
				got := columns(t, h, rows, "id", "bidirectional_packets", "bidirectional_bytes")
				w := want[chunk*10 : min(len(want), chunk*10+10)]
				if d := cmp.Diff(w, got); d != "" {
					t.Errorf("out.%d.csv is not chunk %d (-NFStream +got):\n%s", i, chunk, d)
				}
			}
		})
	}
}

// TestFlowsRotationRefusals: the flags that need a live interface or a
// file say so.
func TestFlowsRotationRefusals(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), []byte("x"), 0o644)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--rotate-interval", "1m", "--format", "parquet", "-o", filepath.Join(dir, "d")}, "needs a live interface"},
		{[]string{"--rotate-files", "3", "-o", filepath.Join(dir, "o.csv")}, "--rotate-files needs --flows-per-file"},
		{[]string{"--flows-per-file", "10"}, "give -o FILE"},
		{[]string{"--flows-per-file", "-1", "-o", filepath.Join(dir, "o.csv")}, "invalid --flows-per-file"},
		{[]string{"--memory-limit", "lots", "-o", filepath.Join(dir, "o.csv")}, "invalid --memory-limit"},
		{[]string{"--max-active-flows", "-3", "-o", filepath.Join(dir, "o.csv")}, "invalid --max-active-flows"},
		{[]string{"--fanout", "-o", filepath.Join(dir, "o.csv")}, "--fanout is for live capture"},
	} {
		code, _, stderr := runCLI(t, append(append([]string{"flows"}, c.args...), ownCapture)...)
		if code != 2 || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.msg)
		}
	}
}

// TestFlowsMaxActiveFlows meters a generated flood (bench/genflows
// framing: one UDP packet per flow, plus a few long flows) with a flow
// limit: evicted flows carry expiration_id 2, their number is what the
// limit implies (flows created − limit, every timeout being out of
// reach), every packet is counted once, and the output is byte-identical
// for 1, 2 and 3 meters.
func TestFlowsMaxActiveFlows(t *testing.T) {
	dir := t.TempDir()
	capture := filepath.Join(dir, "flood.pcap")
	writeFlood(t, capture, 20000)
	const limit = 500
	var first []byte
	for _, meters := range []string{"1", "2", "3"} {
		out := filepath.Join(dir, "flows-"+meters+".csv")
		code, _, stderr := runCLI(t, "flows", "--n-dissections", "0", "--statistical-analysis", "--max-active-flows", strconv.Itoa(limit),
			"--n-meters", meters, "-o", out, capture)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		b, _ := os.ReadFile(out)
		if first == nil {
			first = b
			h, rows := readCSVFile(t, out)
			cols := columns(t, h, rows, "expiration_id", "bidirectional_packets")
			var evicted, packets int
			for _, r := range cols {
				if r[0] == "2" {
					evicted++
				}
				n, _ := strconv.Atoi(r[1])
				packets += n
			}
			if evicted != len(rows)-limit || packets != 20000 {
				t.Errorf("%d flows, %d evicted, %d packets; want %d evicted and 20000 packets", len(rows), evicted, packets, len(rows)-limit)
			}
			continue
		}
		if string(b) != string(first) {
			t.Errorf("--n-meters %s: output differs from one meter", meters)
		}
	}
}

// writeFlood writes a pcap of n UDP packets: every tenth belongs to one of
// four long flows, the others each open a new flow; 1 ms apart.
func writeFlood(t *testing.T, path string, n int) {
	t.Helper()
	var b []byte
	le := func(v uint32) { b = append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24)) }
	le(0xa1b2c3d4)
	b = append(b, 2, 0, 4, 0)
	le(0)
	le(0)
	le(65535)
	le(1)
	for i := range n {
		src, sport := uint32(0x0a000000|i), uint16(1024+i%50000)
		if i%10 == 0 {
			src, sport = 0x0a000001, uint16(1+i/10%4)
		}
		frame := make([]byte, 14+20+8+8)
		frame[12], frame[13] = 0x08, 0x00
		ip := frame[14:]
		ip[0], ip[8], ip[9] = 0x45, 64, 17
		ip[2], ip[3] = 0, 36
		ip[12], ip[13], ip[14], ip[15] = byte(src>>24), byte(src>>16), byte(src>>8), byte(src)
		ip[16], ip[17], ip[18], ip[19] = 192, 0, 2, 1
		ip[20], ip[21] = byte(sport>>8), byte(sport)
		ip[22], ip[23] = 0, 53
		ip[24], ip[25] = 0, 16
		ms := uint32(i)
		le(1_700_000_000 + ms/1000)
		le(ms % 1000 * 1000)
		le(uint32(len(frame)))
		le(uint32(len(frame)))
		b = append(b, frame...)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLiveProgressLine: while a capture runs, build's progress line shows
// its packets, drops and flows instead of a byte bar.
func TestLiveProgressLine(t *testing.T) {
	since := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		live pipeline.LiveProgress
		want string
	}{
		{pipeline.LiveProgress{Interface: "eth0", Packets: 981233, Dropped: 12, Flows: 1520, Since: since},
			"capturing eth0 1m30s  981233 packets  12 dropped  1520 flows  jobs 0/2"},
		{pipeline.LiveProgress{Interface: "eth0", Packets: 5, Flows: 3, Evicted: 2, Since: since},
			"capturing eth0 1m30s  5 packets  0 dropped  3 flows (2 evicted)  jobs 0/2"},
	} {
		got := liveProgressLine(pipeline.Snapshot{Live: &c.live, JobsTotal: 2}, since.Add(90*time.Second))
		if got != c.want {
			t.Errorf("progress line\n got %q\nwant %q", got, c.want)
		}
	}
}
