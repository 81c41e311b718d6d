package stages

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/features"
)

func TestCSVSinkOutput(t *testing.T) {
	path := writeSinkFile(t, "csv", SinkOptions{}, sinkTestSchema, sinkTestRecords)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `id,src_ip,bidirectional_mean_ps,splt_ps,user_agent,udps.maybe_int,udps.maybe_float,udps.maybe_list
0,192.168.43.18,302.36842105263156,"[74, 74, 66, -1]","Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",7,440.0,[1]
1,,1e-05,[],,,,
9223372036854775807,"say ""hi"", then
leave",1e+16,"[-9223372036854775808, 0]",café ☕ \ 	,-1,-0.0,[]
-42,fe80::1,80.49999999999999,"[0, 1, 0, 0, 1]",,0,123456789012345.6,"[-1, -1]"
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// An RFC 4180 reader (encoding/csv, like pandas and DuckDB) gets back every
// string unchanged and every number with the same digits.
func TestCSVSinkReadsBack(t *testing.T) {
	path := writeSinkFile(t, "csv", SinkOptions{}, sinkTestSchema, sinkTestRecords)
	rows := readCSVFile(t, path)
	var header []string
	for _, col := range sinkTestSchema {
		header = append(header, col.Name)
	}
	if diff := cmp.Diff(header, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	for r, rec := range sinkTestRecords {
		for i, col := range sinkTestSchema {
			want := cellText(col, rec[i])
			if got := rows[r+1][i]; got != want {
				t.Errorf("row %d column %s: read back %q, want %q", r, col.Name, got, want)
			}
		}
	}
}

// cellText is what a CSV reader should return for a value.
func cellText(col features.Column, v features.Value) string {
	if v.Null {
		return ""
	}
	switch col.Kind {
	case features.Int:
		return strconv.FormatInt(v.Int, 10)
	case features.Float:
		return string(AppendPythonFloat(nil, v.Float))
	case features.IntList:
		return string(appendPythonIntList(nil, v.List))
	}
	return v.Str
}

func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s is not RFC 4180: %v", path, err)
	}
	return rows
}

// NFStream's own rows, parsed into typed values and written again, read back
// with the same numbers: the same text for ints, floats and lists (Python
// repr digits) and the same bits for floats.
func TestCSVSinkGoldenRoundTrip(t *testing.T) {
	table := readGolden(t, filepath.Join(nfstreamGoldenDir, "facebook.pcap.csv"))
	checkGoldenRoundTrip(t, table)
}

// The same check over every golden capture: about 2,800 NFStream rows with
// floats of all shapes.
func TestCSVSinkAllGoldensRoundTrip(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(nfstreamGoldenDir, "*.csv"))
	if len(paths) == 0 {
		t.Skipf("no goldens under %s: the shared NFStream goldens are not checked out next to the repository", nfstreamGoldenDir)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			checkGoldenRoundTrip(t, readGolden(t, path))
		})
	}
}

func checkGoldenRoundTrip(t *testing.T, table goldenTable) {
	t.Helper()
	path := writeSinkFile(t, "csv", SinkOptions{}, table.schema, table.records)
	rows := readCSVFile(t, path)
	if len(rows) != len(table.records)+1 {
		t.Fatalf("read %d rows, want %d and a header", len(rows)-1, len(table.records))
	}
	for r, fields := range table.text {
		for i, col := range table.schema {
			golden, got := fields[i], rows[r+1][i]
			if got != golden {
				t.Errorf("row %d column %s: wrote %q, NFStream wrote %q", r, col.Name, got, golden)
				continue
			}
			if col.Kind == features.Float {
				g, err1 := strconv.ParseFloat(golden, 64)
				o, err2 := strconv.ParseFloat(got, 64)
				if err1 != nil || err2 != nil || math.Float64bits(g) != math.Float64bits(o) {
					t.Errorf("row %d column %s: %q and %q are different doubles", r, col.Name, got, golden)
				}
			}
		}
	}
	// Without quotes in any string (true of every golden), our line is
	// NFStream's with the quotes of strings removed and those of lists kept.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for r, fields := range table.text {
		var want []string
		for i, col := range table.schema {
			field := fields[i]
			if col.Kind == features.String || col.Kind == features.IntList {
				field = string(appendCSVString(nil, field))
			}
			want = append(want, field)
		}
		if diff := cmp.Diff(strings.Join(want, ","), lines[r+1]); diff != "" {
			t.Errorf("row %d (-want +got):\n%s", r, diff)
		}
	}
}

func TestCSVSinkLifeCycleErrors(t *testing.T) {
	tests := []struct {
		name string
		run  func(s Sink) error
	}{
		{"write before begin", func(s Sink) error { return s.Write(sinkTestRecords[0]) }},
		{"begin twice", func(s Sink) error {
			if err := s.Begin(sinkTestSchema); err != nil {
				return nil
			}
			return s.Begin(sinkTestSchema)
		}},
		{"short record", func(s Sink) error {
			if err := s.Begin(sinkTestSchema); err != nil {
				return nil
			}
			return s.Write(sinkTestRecords[0][:3])
		}},
		{"empty schema", func(s Sink) error { return s.Begin(nil) }},
		{"duplicate column", func(s Sink) error {
			return s.Begin(features.Schema{{Name: "a"}, {Name: "a"}})
		}},
		{"unknown kind", func(s Sink) error {
			return s.Begin(features.Schema{{Name: "a", Kind: 9}})
		}},
	}
	for _, format := range SinkFormats() {
		for _, tt := range tests {
			t.Run(format+"/"+tt.name, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "out")
				sink, err := NewSink(format, path, SinkOptions{})
				if err != nil {
					t.Fatal(err)
				}
				err = tt.run(sink)
				if err == nil {
					t.Fatal("no error")
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name %s", err, path)
				}
				// A sink that failed must not publish its file, even on Close.
				sink.Close()
				if diff := cmp.Diff([]string{}, sinkDirEntries(t, dir)); diff != "" {
					t.Errorf("directory after a failed sink (-want +got):\n%s", diff)
				}
			})
		}
	}
}
