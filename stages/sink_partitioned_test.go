package stages

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/features"
)

func writePartitioned(t *testing.T, format, dir string, rowsPerFile int64, records []features.Record) *PartitionedSink {
	t.Helper()
	sink, err := NewPartitionedSink(format, dir, rowsPerFile, SinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	writeRecords(t, sink, sinkTestSchema, records)
	return sink
}

func TestPartitionedSinkSplits(t *testing.T) {
	records := manySinkRecords(8)
	tests := []struct {
		rowsPerFile int64
		records     int
		wantRows    []int // per part
	}{
		{rowsPerFile: 3, records: 8, wantRows: []int{3, 3, 2}},
		{rowsPerFile: 4, records: 8, wantRows: []int{4, 4}},
		{rowsPerFile: 0, records: 8, wantRows: []int{8}},
		{rowsPerFile: 100, records: 8, wantRows: []int{8}},
		{rowsPerFile: 3, records: 0, wantRows: []int{0}}, // the schema is still written
	}
	for _, format := range SinkFormats() {
		for _, tt := range tests {
			name := fmt.Sprintf("%s/%d per file %d rows", format, tt.rowsPerFile, tt.records)
			t.Run(name, func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "dataset") // created by the sink
				sink := writePartitioned(t, format, dir, tt.rowsPerFile, records[:tt.records])
				ext, _ := FormatExtension(format)
				var wantFiles, wantNames []string
				for i := range tt.wantRows {
					wantNames = append(wantNames, PartName(i, ext))
					wantFiles = append(wantFiles, filepath.Join(dir, PartName(i, ext)))
				}
				if diff := cmp.Diff(wantFiles, sink.Files()); diff != "" {
					t.Errorf("Files (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(wantNames, sinkDirEntries(t, dir)); diff != "" {
					t.Errorf("directory (-want +got):\n%s", diff)
				}
				// Reading the parts in order gives the records in order.
				var ids []any
				for i, path := range sink.Files() {
					got := readIDs(t, format, path)
					if len(got) != tt.wantRows[i] {
						t.Errorf("%s: %d rows, want %d", path, len(got), tt.wantRows[i])
					}
					ids = append(ids, got...)
				}
				for i, id := range ids {
					if id != int64(i) {
						t.Fatalf("row %d over all parts has id %v", i, id)
					}
				}
			})
		}
	}
}

// readIDs returns the id column of one file of any format.
func readIDs(t *testing.T, format, path string) []any {
	t.Helper()
	ids := []any{}
	switch format {
	case "parquet":
		return append(ids, readParquetColumns(t, path)["id"]...)
	case "csv":
		rows := readCSVFile(t, path)
		if diff := cmp.Diff(schemaNames(sinkTestSchema), rows[0]); diff != "" {
			t.Errorf("%s header (-want +got):\n%s", path, diff)
		}
		for _, row := range rows[1:] {
			ids = append(ids, mustParseInt(t, row[0]))
		}
	case "jsonl":
		for _, line := range readJSONLines(t, path) {
			id, _, _ := strings.Cut(strings.TrimPrefix(string(line), `{"id":`), ",")
			ids = append(ids, mustParseInt(t, id))
		}
	}
	return ids
}

func mustParseInt(t *testing.T, s string) int64 {
	t.Helper()
	v, err := parseGoldenValue(features.Int, s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v.Int
}

// Nothing appears under a part name before Close, and Abort removes every
// part, finished or not, while leaving other files alone.
func TestPartitionedSinkAbort(t *testing.T) {
	for _, format := range SinkFormats() {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			keep := filepath.Join(dir, "dataset.json")
			if err := os.WriteFile(keep, []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
			sink, err := NewPartitionedSink(format, dir, 2, SinkOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if err := sink.Begin(sinkTestSchema); err != nil {
				t.Fatal(err)
			}
			for _, rec := range manySinkRecords(7) {
				if err := sink.Write(rec); err != nil {
					t.Fatal(err)
				}
			}
			for _, name := range sinkDirEntries(t, dir) {
				if strings.HasPrefix(name, "part-") {
					t.Errorf("%s visible before Close", name)
				}
			}
			if err := sink.Abort(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"dataset.json"}, sinkDirEntries(t, dir)); diff != "" {
				t.Errorf("directory after Abort (-want +got):\n%s", diff)
			}
			if sink.Files() != nil {
				t.Errorf("Files after Abort: %q", sink.Files())
			}
		})
	}
}

// A Write that fails in the third part leaves no part at all.
func TestPartitionedSinkFailedWrite(t *testing.T) {
	dir := t.TempDir()
	sink, err := NewPartitionedSink("parquet", dir, 2, SinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Begin(sinkTestSchema); err != nil {
		t.Fatal(err)
	}
	records := manySinkRecords(6)
	records[5][0] = features.Value{Null: true} // id is not Nullable
	for _, rec := range records {
		err = sink.Write(rec)
		if err != nil {
			break
		}
	}
	if err == nil || !strings.Contains(err.Error(), "part-00002.parquet") {
		t.Fatalf("Write = %v, want an error naming part-00002.parquet", err)
	}
	if err := sink.Close(); err == nil {
		t.Error("Close after a failed Write succeeded")
	}
	if diff := cmp.Diff([]string{}, sinkDirEntries(t, dir)); diff != "" {
		t.Errorf("directory (-want +got):\n%s", diff)
	}
}

// Metadata set before the first Write is in every part; metadata set later
// is in the parts still open.
func TestPartitionedSinkMetadata(t *testing.T) {
	dir := t.TempDir()
	sink, err := NewPartitionedSink("parquet", dir, 2, SinkOptions{Metadata: map[string]string{"from": "options"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Begin(sinkTestSchema); err != nil {
		t.Fatal(err)
	}
	sink.SetMetadata(map[string]string{"early": "1"})
	for _, rec := range manySinkRecords(5) {
		if err := sink.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	sink.SetMetadata(map[string]string{"late": "2"})
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, path := range sink.Files() {
		got = append(got, openParquet(t, path).MetaData().KeyValueMetadata().Keys())
	}
	want := [][]string{{"early", "from"}, {"early", "from"}, {"early", "from", "late"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metadata keys per part (-want +got):\n%s", diff)
	}
}

func TestPartitionedSinkRejects(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name        string
		format, dir string
		rowsPerFile int64
		opts        SinkOptions
	}{
		{"unknown format", "xml", dir, 0, SinkOptions{}},
		{"bad compression", "parquet", dir, 0, SinkOptions{Compression: "lzo"}},
		{"negative rows", "csv", dir, -1, SinkOptions{}},
		{"stdout", "csv", "-", 0, SinkOptions{}},
		{"file as directory", "csv", filepath.Join(writeSinkFile(t, "csv", SinkOptions{}, sinkTestSchema, nil), "sub"), 0, SinkOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPartitionedSink(tt.format, tt.dir, tt.rowsPerFile, tt.opts)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.dir) {
				t.Errorf("error %q does not name %s", err, tt.dir)
			}
		})
	}
}

// Held footers must give exactly the bytes of a sink that knew its metadata
// from the start, whatever the part and row-group boundaries.
func TestPartitionedSinkHoldFooters(t *testing.T) {
	meta := map[string]string{"nfdataset.rows": "7", "z": "last"}
	for _, tt := range []struct{ rowsPerFile, groupRows, records int }{
		{3, 2, 7}, {3, 3, 7}, {2, 1, 6}, {0, 2, 5}, {4, 4, 0},
	} {
		t.Run(fmt.Sprintf("%d per file, groups of %d, %d rows", tt.rowsPerFile, tt.groupRows, tt.records), func(t *testing.T) {
			opts := SinkOptions{RowGroupRows: int64(tt.groupRows), Metadata: map[string]string{"from": "options"}}
			upfront := filepath.Join(t.TempDir(), "upfront")
			a, err := NewPartitionedSink("parquet", upfront, int64(tt.rowsPerFile), opts)
			if err != nil {
				t.Fatal(err)
			}
			a.SetMetadata(meta)
			writeRecords(t, a, sinkTestSchema, manySinkRecords(tt.records))

			held := filepath.Join(t.TempDir(), "held")
			b, err := NewPartitionedSink("parquet", held, int64(tt.rowsPerFile), opts)
			if err != nil {
				t.Fatal(err)
			}
			b.HoldFooters()
			if err := b.Begin(sinkTestSchema); err != nil {
				t.Fatal(err)
			}
			for _, rec := range manySinkRecords(tt.records) {
				if err := b.Write(rec); err != nil {
					t.Fatal(err)
				}
			}
			for _, name := range sinkDirEntries(t, held) {
				if !strings.HasPrefix(name, ".") {
					t.Errorf("part %s published before Close", name)
				}
			}
			b.SetMetadata(meta)
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(sinkDirEntries(t, upfront), sinkDirEntries(t, held)); diff != "" {
				t.Fatalf("parts (-upfront +held):\n%s", diff)
			}
			for _, name := range sinkDirEntries(t, upfront) {
				want, _ := os.ReadFile(filepath.Join(upfront, name))
				got, _ := os.ReadFile(filepath.Join(held, name))
				if string(want) != string(got) {
					t.Errorf("%s: %d bytes held, %d written with the metadata known first: not identical", name, len(got), len(want))
				}
			}
		})
	}
}
