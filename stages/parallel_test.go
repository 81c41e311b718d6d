package stages

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/features"
)

func runWithMeters(t *testing.T, captures []string, st Streamer, reqs []features.Request) *memorySink {
	t.Helper()
	src, err := OpenFiles(captures)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	newExt := func() (*features.Extractor, error) { return features.NewExtractor(reqs, st.Env()) }
	ext, err := newExt()
	if err != nil {
		t.Fatal(err)
	}
	sink := &memorySink{}
	sink.Begin(ext.Schema())
	job := &Job{Source: src, Streamer: st, Extractor: ext, NewExtractor: newExt, Sink: sink}
	if _, err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return sink
}

// TestParallelMetersMatchSingle: the output is identical, row for row and
// id for id, whatever the number of meters.
func TestParallelMetersMatchSingle(t *testing.T) {
	var captures []string
	if _, err := filepath.Glob(filepath.Join(sharedDir, "corpus")); err == nil {
		captures, _ = filepath.Glob(filepath.Join(sharedDir, "corpus", "nfstream", "pcaps", "*"))
	}
	own, _ := filepath.Glob(filepath.Join("..", "testdata", "nfstream", "*.pcap"))
	captures = append(captures, own...)
	reqs := []features.Request{{Name: "base"}, {Name: "stats"}, {Name: "splt", Options: features.Options{"n": int64(10)}}}
	if _, ok := features.Lookup("dpi"); ok {
		reqs = append(reqs, features.Request{Name: "dpi"})
	}
	for _, c := range captures {
		t.Run(filepath.Base(c), func(t *testing.T) {
			st := DefaultStreamer()
			st.NMeters = 1
			want := runWithMeters(t, []string{c}, st, reqs)
			for _, n := range []int{2, 3} {
				st.NMeters = n
				got := runWithMeters(t, []string{c}, st, reqs)
				if d := cmp.Diff(want.Records, got.Records); d != "" {
					t.Fatalf("%d meters differ from one (-one +n):\n%.2000s", n, d)
				}
			}
			st.NMeters, st.MaxFlows = 3, 5
			got := runWithMeters(t, []string{c}, st, reqs)
			if n := min(5, len(want.Records)); len(got.Records) != n || (n > 0 && cmp.Diff(want.Records[:n], got.Records) != "") {
				t.Fatalf("max_nflows 5 with 3 meters: %d rows, want the first %d", len(got.Records), n)
			}
		})
	}
}
