package pipeline

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/stages"
)

// TestFlowLimit: the bound from max_active_flows and memory_limit (the
// smaller wins), none for files by default, DefaultLiveMemoryLimit for
// interfaces; worked by hand from flowBytes' table (base 600 B, base +
// dpi 1600 B, everything 3200 B).
func TestFlowLimit(t *testing.T) {
	base := []features.Request{{Name: "base"}}
	all := []features.Request{{Name: "base"}, {Name: "stats"}, {Name: "splt"}, {Name: "dpi"}}
	const mib = 1 << 20
	for _, c := range []struct {
		name     string
		p        StreamerParams
		live     bool
		reqs     []features.Request
		want     int64
		describe string
	}{
		{"file, unset", StreamerParams{}, false, base, 0, ""},
		{"live, unset", StreamerParams{}, true, base, (1024 - 64) * mib / 600, "default memory_limit 1GiB"},
		{"live, all sets", StreamerParams{}, true, all, (1024 - 64) * mib / 3200, "default memory_limit 1GiB"},
		{"file, max", StreamerParams{MaxActiveFlows: 1000}, false, base, 1000, "max_active_flows"},
		{"file, memory", StreamerParams{MemoryLimit: 128 * mib}, false, []features.Request{{Name: "base"}, {Name: "dpi"}}, 64 * mib / 1600, "memory_limit 128MiB"},
		{"both, max smaller", StreamerParams{MaxActiveFlows: 10, MemoryLimit: 128 * mib}, true, base, 10, "max_active_flows"},
		{"both, memory smaller", StreamerParams{MaxActiveFlows: 1 << 30, MemoryLimit: 128 * mib}, true, base, 64 * mib / 600, "memory_limit 128MiB"},
	} {
		if got := c.p.FlowLimit(c.live, c.reqs); got != c.want {
			t.Errorf("%s: limit %d, want %d", c.name, got, c.want)
		}
		if d := c.p.describeLimit(c.live, c.reqs); !strings.Contains(d, c.describe) || (c.describe == "") != (d == "") {
			t.Errorf("%s: described as %q, want it to name %q", c.name, d, c.describe)
		}
	}
}

func TestEvictionKeys(t *testing.T) {
	for _, c := range []struct{ streamer, msg string }{
		{`memory_limit = "1 gig"`, "memory_limit"},
		{`memory_limit = "64MiB"`, "leaves nothing for flows"},
		{`max_active_flows = 0`, "max_active_flows"},
	} {
		_, err := Load(writeManifest(t, minimal+"[streamer]\n"+c.streamer+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want one naming %q", c.streamer, err, c.msg)
		}
	}
}

// TestEvictionInDatasetJSON builds a capture file with max_active_flows 2:
// dataset.json records the bound and the evictions, which are the rows
// with expiration_id 2.
func TestEvictionInDatasetJSON(t *testing.T) {
	dir := t.TempDir()
	text := strings.ReplaceAll("[dataset]\nname = \"e\"\n[[input]]\npath = \"NFTESTDATA/hol.pcap\"\n[streamer]\nmax_active_flows = 2\n[output]\npath = \"out\"\nformat = \"csv\"\n", "NFTESTDATA", mustAbs(t, "../testdata/nfstream"))
	m, err := Parse("m.toml", dir, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan(context.Background(), m, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), p, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	prov, err := ReadProvenance(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	ev := prov.Inputs[0].Stats.Eviction
	if ev == nil {
		t.Fatal("dataset.json has no eviction record")
	}
	rows := readCSVColumn(t, filepath.Join(dir, "out", prov.Files[0].Path), "expiration_id")
	var n uint64
	for _, v := range rows {
		if v == "2" {
			n++
		}
	}
	if d := cmp.Diff(EvictionStats{MaxActiveFlows: 2, Evicted: n}, *ev); d != "" || n == 0 {
		t.Errorf("eviction record (-rows +dataset.json), %d evicted rows:\n%s", n, d)
	}
}

// readCSVColumn returns one column of a CSV part.
func readCSVColumn(t *testing.T, path, name string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	col := slices.Index(rows[0], name)
	if col < 0 {
		t.Fatalf("%s: no column %s", path, name)
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[col])
	}
	return out
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestLiveTickerProgress: a live job's tick puts its counters on the
// progress snapshot and passes the tick on to the report.
func TestLiveTickerProgress(t *testing.T) {
	prog := &Progress{}
	var reported bytes.Buffer
	rep := &Reporter{Every: time.Nanosecond, JSON: &reported}
	run := &liveRun{iface: "nfd-none0", started: time.Unix(1000, 0)}
	tick := prog.liveTicker(run.iface, run, rep)
	tick(stages.TickStats{Result: stages.Result{Frames: 42, Flows: 7, Evicted: 3}, Processed: 40})
	want := &LiveProgress{Interface: "nfd-none0", Packets: 42, Flows: 7, Evicted: 3, Since: time.Unix(1000, 0)}
	if d := cmp.Diff(want, prog.Snapshot().Live); d != "" {
		t.Errorf("progress (-want +got):\n%s", d)
	}
	if !strings.Contains(reported.String(), `"flows_evicted":3`) {
		t.Errorf("report %q lacks flows_evicted 3", reported.String())
	}
}
