package stages

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/meter"
)

// runPart meters capture as part p, returning its records and how many
// foreign flows OnForeign reported.
func runPart(t *testing.T, capture string, reqs []features.Request, p FlowPart) (*MemorySink, int) {
	t.Helper()
	src, err := OpenFiles([]string{capture})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	st := DefaultStreamer()
	ext, err := features.NewExtractor(reqs, st.Env())
	if err != nil {
		t.Fatal(err)
	}
	sink := &MemorySink{}
	sink.Begin(ext.Schema())
	foreign := 0
	job := &Job{Source: src, Streamer: st, Extractor: ext, Sink: sink, Part: p, OnForeign: func() { foreign++ }}
	if _, err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return sink, foreign
}

// TestJobPart: the parts of a capture split by flow hash hold, between
// them, every record of the whole job exactly once with its id, and each
// part hears of the others' flows through OnForeign. tcp_teardown ends
// flows early, so ids depend on foreign flows' lifetimes too.
func TestJobPart(t *testing.T) {
	captures := []string{"facebook.pcap", "instagram.pcap", "bittorrent.pcap"}
	reqs := []features.Request{{Name: "base"}, {Name: "stats"}, {Name: "dpi"},
		{Name: "plugin.tcp_teardown", Options: features.Options{"mode": "first"}}}
	for _, name := range captures {
		capture := filepath.Join(sharedDir, "corpus", "nfstream", "pcaps", name)
		if _, err := os.Stat(capture); err != nil {
			t.Skipf("corpus not found (%v)", err)
		}
		t.Run(name, func(t *testing.T) {
			whole, foreign := runPart(t, capture, reqs, FlowPart{})
			if foreign != 0 {
				t.Fatalf("the whole job reported %d foreign flows", foreign)
			}
			id := slices.IndexFunc(whole.Schema, func(c features.Column) bool { return c.Name == "id" })
			const n = 3
			var merged []features.Record
			nonEmpty := 0
			for i := range n {
				part, foreign := runPart(t, capture, reqs, FlowPart{Index: i, Count: n})
				if got := len(part.Records) + foreign; got != len(whole.Records) {
					t.Errorf("part %d/%d: %d records + %d foreign = %d flows, the whole job %d", i, n, len(part.Records), foreign, got, len(whole.Records))
				}
				if len(part.Records) > 0 {
					nonEmpty++
				}
				merged = append(merged, part.Records...)
			}
			if nonEmpty < 2 && len(whole.Records) > 3 {
				t.Errorf("%d flows went to %d part(s); the hash should spread them", len(whole.Records), nonEmpty)
			}
			slices.SortFunc(merged, func(a, b features.Record) int { return int(a[id].Int - b[id].Int) })
			if d := cmp.Diff(whole.Records, merged); d != "" {
				t.Errorf("the parts' records, by id, differ from the whole job's (-whole +parts):\n%.3000s", d)
			}
		})
	}
}

// TestFlowShardSpreads: the hash is a pure function of the key and uses
// every part.
func TestFlowShardSpreads(t *testing.T) {
	var k meter.Key
	seen := map[int]int{}
	for i := range 300 {
		k.LoIP[15], k.HiIP[14], k.LoPort = byte(i), byte(i>>3), uint16(i*7)
		a, b := FlowShard(&k, 5), FlowShard(&k, 5)
		if a != b || a < 0 || a >= 5 {
			t.Fatalf("FlowShard gave %d then %d", a, b)
		}
		seen[a]++
	}
	if len(seen) != 5 {
		t.Errorf("300 keys used parts %v of 5", seen)
	}
}
