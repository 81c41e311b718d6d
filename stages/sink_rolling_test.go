package stages

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRollingSink cuts parts by rows and by a (fake) wall-clock interval,
// reports each part once it is complete under its final name with its
// digest, and keeps the dataset directory free of anything else.
func TestRollingSink(t *testing.T) {
	type step struct {
		advance time.Duration // clock moves, then
		write   int           // this many records, then
		tick    bool          // a tick
	}
	tests := []struct {
		name     string
		rows     int64
		interval time.Duration
		steps    []step
		want     []int64 // rows per reported part
	}{
		{"rows", 3, 0, []step{{write: 7}}, []int64{3, 3, 1}},
		{"interval", 0, time.Minute, []step{{write: 2}, {advance: 59 * time.Second, tick: true}, {write: 1}, {advance: time.Second, tick: true}, {write: 1}}, []int64{3, 1}},
		{"quiet interval writes no part", 0, time.Minute, []step{{write: 2}, {advance: time.Minute, tick: true}, {advance: 5 * time.Minute, tick: true}, {write: 1}}, []int64{2, 1}},
		{"interval closes on write", 0, time.Minute, []step{{write: 1}, {advance: 2 * time.Minute, write: 1}}, []int64{1, 1}},
		{"both", 2, time.Minute, []step{{write: 3}, {advance: time.Minute, tick: true}}, []int64{2, 1}},
		{"no rows: one empty part", 2, time.Minute, []step{{advance: time.Hour, tick: true}}, []int64{0}},
	}
	for _, format := range SinkFormats() {
		for _, tt := range tests {
			t.Run(format+"/"+tt.name, func(t *testing.T) {
				base := t.TempDir()
				dir, work := filepath.Join(base, "out"), filepath.Join(base, "out", ".cache", "live")
				s, err := NewRollingSink(format, dir, work, tt.rows, tt.interval, SinkOptions{})
				if err != nil {
					t.Fatal(err)
				}
				now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				s.Now = func() time.Time { return now }
				var reported []PartFile
				s.OnPart = func(pf PartFile) error {
					// Complete and final when reported: the digest matches.
					b, err := os.ReadFile(filepath.Join(dir, pf.Name))
					if err != nil {
						return err
					}
					if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != pf.SHA256 || int64(len(b)) != pf.Size {
						return fmt.Errorf("%s: digest or size differs from the file", pf.Name)
					}
					reported = append(reported, pf)
					return nil
				}
				if err := s.Begin(sinkTestSchema); err != nil {
					t.Fatal(err)
				}
				recs := manySinkRecords(16)
				next := 0
				for _, st := range tt.steps {
					now = now.Add(st.advance)
					for range st.write {
						if err := s.Write(recs[next]); err != nil {
							t.Fatal(err)
						}
						next++
					}
					if st.tick {
						if err := s.Tick(); err != nil {
							t.Fatal(err)
						}
					}
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				ext, _ := FormatExtension(format)
				var rows []int64
				var names []string
				for i, pf := range reported {
					rows = append(rows, pf.Rows)
					names = append(names, PartName(i, ext))
					if got := len(readIDs(t, format, filepath.Join(dir, pf.Name))); int64(got) != pf.Rows {
						t.Errorf("%s holds %d rows, reported %d", pf.Name, got, pf.Rows)
					}
				}
				if d := cmp.Diff(tt.want, rows); d != "" {
					t.Errorf("rows per part (-want +got):\n%s", d)
				}
				if d := cmp.Diff(append([]string{".cache"}, names...), sinkDirEntries(t, dir)); d != "" {
					t.Errorf("dataset directory (-want +got):\n%s", d)
				}
				if left := sinkDirEntries(t, work); len(left) != 0 {
					t.Errorf("work directory keeps %v", left)
				}
			})
		}
	}
}

// TestRollingSinkAbort: the parts finished before an abort stay; the one
// being written is removed and never appears under a final name.
func TestRollingSinkAbort(t *testing.T) {
	base := t.TempDir()
	dir, work := filepath.Join(base, "out"), filepath.Join(base, "work")
	s, err := NewRollingSink("parquet", dir, work, 2, 0, SinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Begin(sinkTestSchema); err != nil {
		t.Fatal(err)
	}
	for _, rec := range manySinkRecords(3) {
		if err := s.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if left := sinkDirEntries(t, work); len(left) != 1 {
		t.Fatalf("work directory %v: want the part being written", left)
	}
	if err := s.Abort(); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"part-00000.parquet"}, sinkDirEntries(t, dir)); d != "" {
		t.Errorf("dataset directory (-want +got):\n%s", d)
	}
	if left := sinkDirEntries(t, work); len(left) != 0 {
		t.Errorf("work directory keeps %v", left)
	}
	if n := len(readIDs(t, "parquet", filepath.Join(dir, "part-00000.parquet"))); n != 2 {
		t.Errorf("finished part holds %d rows", n)
	}
}
