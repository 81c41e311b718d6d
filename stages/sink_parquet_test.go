package stages

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"
	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/features"
)

// The files are read back with Apache Arrow's Go implementation, which
// shares no code with parquet-go: what it reads is what pyarrow, DuckDB and
// Spark will read.

func openParquet(t *testing.T, path string) *file.Reader {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatalf("arrow cannot open %s: %v", path, err)
	}
	t.Cleanup(func() { rdr.Close() })
	return rdr
}

// parquetColumnShape is what a reader sees of one column's schema.
type parquetColumnShape struct {
	Path       string
	Physical   string
	Logical    string // of the leaf
	Root       string // repetition of the top-level field
	RootLogic  string // logical type of the top-level field (LIST for lists)
	MaxDef     int16
	MaxRep     int16
	Dictionary bool // some page of the first row group is dictionary encoded
}

func TestParquetSinkSchema(t *testing.T) {
	path := writeSinkFile(t, "parquet", SinkOptions{}, sinkTestSchema, sinkTestRecords)
	rdr := openParquet(t, path)
	sc := rdr.MetaData().Schema
	var got []parquetColumnShape
	for i := range sc.NumColumns() {
		col := sc.Column(i)
		root := sc.ColumnRoot(i)
		chunk, err := rdr.MetaData().RowGroup(0).ColumnChunk(i)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, parquetColumnShape{
			Path:       col.Path(),
			Physical:   col.PhysicalType().String(),
			Logical:    col.LogicalType().String(),
			Root:       root.RepetitionType().String(),
			RootLogic:  root.LogicalType().String(),
			MaxDef:     col.MaxDefinitionLevel(),
			MaxRep:     col.MaxRepetitionLevel(),
			Dictionary: chunk.HasDictionaryPage(),
		})
	}
	none := schema.NoLogicalType{}.String()
	str := schema.StringLogicalType{}.String()
	list := schema.ListLogicalType{}.String()
	// parquet-go annotates INT64 as a signed 64-bit INT: readers map both
	// to int64.
	i64 := schema.NewIntLogicalType(64, true).String()
	want := []parquetColumnShape{
		{"id", "INT64", i64, "required", i64, 0, 0, false},
		{"src_ip", "BYTE_ARRAY", str, "required", str, 0, 0, true},
		{"bidirectional_mean_ps", "DOUBLE", none, "required", none, 0, 0, false},
		{"splt_ps.list.element", "INT64", i64, "required", list, 1, 1, false},
		{"user_agent", "BYTE_ARRAY", str, "optional", str, 1, 0, true},
		{"udps.maybe_int", "INT64", i64, "optional", i64, 1, 0, false},
		{"udps.maybe_float", "DOUBLE", none, "optional", none, 1, 0, false},
		{"udps.maybe_list.list.element", "INT64", i64, "optional", list, 2, 1, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schema (-want +got):\n%s", diff)
	}
	if sc.Root().Name() != "schema" {
		t.Errorf("root named %q", sc.Root().Name())
	}
}

func TestParquetSinkValues(t *testing.T) {
	path := writeSinkFile(t, "parquet", SinkOptions{}, sinkTestSchema, sinkTestRecords)
	got := readParquetColumns(t, path)
	want := map[string][]any{}
	for _, col := range sinkTestSchema {
		for _, rec := range sinkTestRecords {
			want[col.Name] = append(want[col.Name], parquetWant(col, rec[sinkTestSchema.Index(col.Name)]))
		}
	}
	if diff := cmp.Diff(want, got, floatBits); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
}

// floatBits compares doubles bit for bit: -0.0 is not 0.0 here.
var floatBits = cmp.Comparer(func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) })

// parquetWant is the value a reader should get for a cell.
func parquetWant(col features.Column, v features.Value) any {
	if v.Null {
		return nil
	}
	switch col.Kind {
	case features.Int:
		return v.Int
	case features.Float:
		return v.Float
	case features.IntList:
		list := []any{}
		for _, e := range v.List {
			list = append(list, e)
		}
		return list
	}
	if v.Str == "" && col.Nullable {
		return nil
	}
	return v.Str
}

// readParquetColumns reads a whole file with pqarrow into plain Go values:
// int64, float64, string, []any of int64, nil for null.
func readParquetColumns(t *testing.T, path string) map[string][]any {
	t.Helper()
	fr, err := pqarrow.NewFileReader(openParquet(t, path), pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	table, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("arrow cannot read %s: %v", path, err)
	}
	defer table.Release()
	columns := map[string][]any{}
	for i := range int(table.NumCols()) {
		col := table.Column(i)
		values := []any{}
		for _, chunk := range col.Data().Chunks() {
			for j := range chunk.Len() {
				v, err := arrowValue(chunk, j)
				if err != nil {
					t.Fatalf("column %s: %v", col.Name(), err)
				}
				values = append(values, v)
			}
		}
		columns[col.Name()] = values
	}
	return columns
}

func arrowValue(arr arrow.Array, i int) (any, error) {
	if arr.IsNull(i) {
		return nil, nil
	}
	switch a := arr.(type) {
	case *array.Int64:
		return a.Value(i), nil
	case *array.Float64:
		return a.Value(i), nil
	case *array.String:
		return a.Value(i), nil
	case *array.List:
		start, end := a.ValueOffsets(i)
		elems := a.ListValues()
		list := []any{}
		for j := int(start); j < int(end); j++ {
			v, err := arrowValue(elems, j)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	}
	return nil, fmt.Errorf("unexpected arrow type %s", arr.DataType())
}

// NFStream's own rows survive a Parquet round trip unchanged.
func TestParquetSinkGoldenValues(t *testing.T) {
	table := readGolden(t, filepath.Join(nfstreamGoldenDir, "facebook.pcap.csv"))
	for i := range table.schema {
		if table.schema[i].Kind == features.String {
			table.schema[i].Nullable = true // as NFStream's to_pandas reads ""
		}
	}
	path := writeSinkFile(t, "parquet", SinkOptions{}, table.schema, table.records)
	got := readParquetColumns(t, path)
	for i, col := range table.schema {
		for r, rec := range table.records {
			if diff := cmp.Diff(parquetWant(col, rec[i]), got[col.Name][r], floatBits); diff != "" {
				t.Errorf("row %d column %s (-want +got):\n%s", r, col.Name, diff)
			}
		}
	}
}

func TestParquetSinkMetadata(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.parquet")
	sink, err := NewSink("parquet", path, SinkOptions{Metadata: map[string]string{"nfdataset.version": "1", "b": "from options"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Begin(sinkTestSchema); err != nil {
		t.Fatal(err)
	}
	for _, rec := range sinkTestRecords {
		if err := sink.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	// Provenance arrives at the end, when row counts are known.
	sink.(MetadataSetter).SetMetadata(map[string]string{"b": "replaced", "a.rows": "4"})
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	md := openParquet(t, path).MetaData()
	kv := md.KeyValueMetadata()
	got := map[string][]string{"keys": kv.Keys(), "values": kv.Values()}
	want := map[string][]string{
		"keys":   {"a.rows", "b", "nfdataset.version"}, // sorted
		"values": {"4", "replaced", "1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("key/value metadata (-want +got):\n%s", diff)
	}
	if got := md.GetCreatedBy(); got != DefaultCreatedBy {
		t.Errorf("created_by %q, want %q", got, DefaultCreatedBy)
	}
}

// DefaultCreatedBy names the parquet-go version we link; bump it with go.mod.
func TestParquetCreatedByMatchesModule(t *testing.T) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		t.Skip("no build information")
	}
	for _, dep := range info.Deps {
		if dep.Path == "github.com/parquet-go/parquet-go" {
			version := strings.TrimPrefix(dep.Version, "v")
			if !strings.Contains(DefaultCreatedBy, "version "+version+" ") {
				t.Errorf("DefaultCreatedBy = %q but parquet-go is %s", DefaultCreatedBy, dep.Version)
			}
			return
		}
	}
	t.Skip("parquet-go not in the build information")
}

func TestParquetSinkCompressionAndRowGroups(t *testing.T) {
	records := manySinkRecords(1000)
	tests := []struct {
		compression string
		want        compress.Compression
	}{
		{"", compress.Codecs.Zstd},
		{"zstd", compress.Codecs.Zstd},
		{"snappy", compress.Codecs.Snappy},
		{"gzip", compress.Codecs.Gzip},
		{"none", compress.Codecs.Uncompressed},
	}
	for _, tt := range tests {
		t.Run("compression="+tt.compression, func(t *testing.T) {
			path := writeSinkFile(t, "parquet", SinkOptions{Compression: tt.compression, RowGroupRows: 300}, sinkTestSchema, records)
			md := openParquet(t, path).MetaData()
			var groups []int64
			for i := range md.NumRowGroups() {
				rg := md.RowGroup(i)
				groups = append(groups, rg.NumRows())
				for c := range rg.NumColumns() {
					chunk, err := rg.ColumnChunk(c)
					if err != nil {
						t.Fatal(err)
					}
					if chunk.Compression() != tt.want {
						t.Errorf("row group %d column %d: %v, want %v", i, c, chunk.Compression(), tt.want)
					}
				}
			}
			if diff := cmp.Diff([]int64{300, 300, 300, 100}, groups); diff != "" {
				t.Errorf("row group sizes (-want +got):\n%s", diff)
			}
			got := readParquetColumns(t, path)
			if len(got["id"]) != len(records) || got["id"][999] != int64(999) {
				t.Errorf("read %d ids, last %v", len(got["id"]), got["id"][len(got["id"])-1])
			}
		})
	}
}

// Wide rows end a row group before its row count: here each row holds a
// 1000-byte string, so 10,000 bytes make groups of 10 rows.
func TestParquetSinkRowGroupBytes(t *testing.T) {
	schema := features.Schema{{Name: "id", Kind: features.Int}, {Name: "payload", Kind: features.String}}
	var records []features.Record
	for i := range 25 {
		records = append(records, features.Record{features.IntValue(int64(i)), features.StringValue(strings.Repeat("x", 992))})
	}
	path := writeSinkFile(t, "parquet", SinkOptions{RowGroupRows: 100, RowGroupBytes: 10_000}, schema, records)
	md := openParquet(t, path).MetaData()
	var groups []int64
	for i := range md.NumRowGroups() {
		groups = append(groups, md.RowGroup(i).NumRows())
	}
	if diff := cmp.Diff([]int64{10, 10, 5}, groups); diff != "" {
		t.Errorf("row group sizes (-want +got):\n%s", diff)
	}
	if got := readParquetColumns(t, path)["id"]; len(got) != 25 || got[24] != int64(24) {
		t.Errorf("ids read back: %v", got)
	}
}

// Unique strings (hashes, fingerprints) outgrow the dictionary limit and
// the column continues in PLAIN pages within the same row group: the reader
// must still get every value.
func TestParquetSinkDictionaryFallback(t *testing.T) {
	schema := features.Schema{{Name: "client_fingerprint", Kind: features.String, Nullable: true}}
	const rows = 40_000 // 40,000 × 32 bytes: past the 1 MiB dictionary
	var records []features.Record
	for i := range rows {
		fp := fmt.Sprintf("%032x", uint64(i)*0x9e3779b97f4a7c15)
		if i%7 == 0 {
			fp = "" // null
		}
		records = append(records, features.Record{features.StringValue(fp)})
	}
	path := writeSinkFile(t, "parquet", SinkOptions{}, schema, records)
	chunk, err := openParquet(t, path).MetaData().RowGroup(0).ColumnChunk(0)
	if err != nil {
		t.Fatal(err)
	}
	if encodings := fmt.Sprint(chunk.Encodings()); !strings.Contains(encodings, "PLAIN ") || !strings.Contains(encodings, "RLE_DICTIONARY") {
		t.Errorf("encodings %s: want both dictionary and PLAIN pages", encodings)
	}
	got := readParquetColumns(t, path)["client_fingerprint"]
	if len(got) != rows {
		t.Fatalf("read %d rows, want %d", len(got), rows)
	}
	for i, rec := range records {
		if want := parquetWant(schema[0], rec[0]); got[i] != want {
			t.Fatalf("row %d: read %v, want %v", i, got[i], want)
		}
	}
}

func TestParquetSinkRejectsBadOptions(t *testing.T) {
	dir := t.TempDir()
	for _, opts := range []SinkOptions{{Compression: "lzo"}, {RowGroupRows: -1}, {RowGroupBytes: -1}} {
		if sink, err := NewSink("parquet", filepath.Join(dir, "out.parquet"), opts); err == nil {
			sink.Abort()
			t.Errorf("%+v accepted", opts)
		}
	}
	if diff := cmp.Diff([]string{}, sinkDirEntries(t, dir)); diff != "" {
		t.Errorf("directory (-want +got):\n%s", diff)
	}
}

func TestParquetSinkNullInRequiredColumn(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.parquet")
	sink, err := NewSink("parquet", path, SinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Begin(sinkTestSchema); err != nil {
		t.Fatal(err)
	}
	rec := append(features.Record(nil), sinkTestRecords[0]...)
	rec[2] = features.Value{Null: true}
	err = sink.Write(rec)
	if err == nil || !strings.Contains(err.Error(), `"bidirectional_mean_ps"`) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Write = %v, want an error naming the column and the file", err)
	}
	if err := sink.Close(); err == nil {
		t.Error("Close after a failed Write succeeded")
	}
	if diff := cmp.Diff([]string{}, sinkDirEntries(t, dir)); diff != "" {
		t.Errorf("directory (-want +got):\n%s", diff)
	}
}

// Same records, same options: the same bytes, for every format.
func TestSinksAreDeterministic(t *testing.T) {
	records := manySinkRecords(5000)
	for _, format := range SinkFormats() {
		t.Run(format, func(t *testing.T) {
			opts := SinkOptions{Metadata: map[string]string{"z": "1", "a": "2", "m": "3"}, RowGroupRows: 1024}
			first, err := os.ReadFile(writeSinkFile(t, format, opts, sinkTestSchema, records))
			if err != nil {
				t.Fatal(err)
			}
			second, err := os.ReadFile(writeSinkFile(t, format, opts, sinkTestSchema, records))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, second) {
				t.Errorf("two runs differ (%d and %d bytes)", len(first), len(second))
			}
		})
	}
}

func TestSinkAbortLeavesNothing(t *testing.T) {
	for _, format := range SinkFormats() {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			sink, err := NewSink(format, filepath.Join(dir, "out"), SinkOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if err := sink.Begin(sinkTestSchema); err != nil {
				t.Fatal(err)
			}
			for _, rec := range manySinkRecords(3000) {
				if err := sink.Write(rec); err != nil {
					t.Fatal(err)
				}
			}
			if err := sink.Abort(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{}, sinkDirEntries(t, dir)); diff != "" {
				t.Errorf("directory (-want +got):\n%s", diff)
			}
			if err := sink.Close(); err == nil {
				t.Error("Close after Abort succeeded")
			}
		})
	}
}

// A sink writing to a full device fails with an error naming the path.
func TestSinkWriteErrorNamesPath(t *testing.T) {
	const devFull = "/dev/full"
	if _, err := os.Stat(devFull); err != nil {
		t.Skipf("%s: %v", devFull, err)
	}
	for _, format := range SinkFormats() {
		t.Run(format, func(t *testing.T) {
			sink, err := NewSink(format, devFull, SinkOptions{})
			if err != nil {
				t.Fatal(err)
			}
			err = sink.Begin(sinkTestSchema)
			for _, rec := range manySinkRecords(20000) {
				if err != nil {
					break
				}
				err = sink.Write(rec)
			}
			if err == nil {
				err = sink.Close()
			} else {
				sink.Abort()
			}
			if err == nil || !strings.Contains(err.Error(), devFull) || !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("got %v, want ENOSPC with an error naming %s", err, devFull)
			}
		})
	}
}

// manySinkRecords cycles through sinkTestRecords with increasing ids.
func manySinkRecords(n int) []features.Record {
	records := make([]features.Record, n)
	for i := range records {
		rec := append(features.Record(nil), sinkTestRecords[i%len(sinkTestRecords)]...)
		rec[0] = features.IntValue(int64(i))
		records[i] = rec
	}
	return records
}

// Bytes that are not UTF-8 (strings come from packets) read back as U+FFFD
// from every format, one per bad byte.
func TestSinksReplaceInvalidUTF8(t *testing.T) {
	schema := features.Schema{{Name: "user_agent", Kind: features.String}}
	records := []features.Record{{features.StringValue("curl\xff\xfe/8,\xc3")}}
	const want = "curl\ufffd\ufffd/8,\ufffd"
	for _, format := range SinkFormats() {
		t.Run(format, func(t *testing.T) {
			path := writeSinkFile(t, format, SinkOptions{}, schema, records)
			var got any
			switch format {
			case "csv":
				got = readCSVFile(t, path)[1][0]
			case "jsonl":
				var obj map[string]string
				if err := json.Unmarshal(readJSONLines(t, path)[0], &obj); err != nil {
					t.Fatal(err)
				}
				got = obj["user_agent"]
			case "parquet":
				got = readParquetColumns(t, path)["user_agent"][0]
			}
			if got != want {
				t.Errorf("read back %q, want %q", got, want)
			}
		})
	}
}

// NaN and infinities are stored as they are (only JSON lacks them); the
// column statistics must not trip a reader.
func TestParquetSinkNonFiniteFloats(t *testing.T) {
	schema := features.Schema{{Name: "x", Kind: features.Float}}
	in := []float64{math.NaN(), 1.5, math.Inf(1), math.Inf(-1), math.Copysign(0, -1)}
	var records []features.Record
	for _, f := range in {
		records = append(records, features.Record{features.FloatValue(f)})
	}
	got := readParquetColumns(t, writeSinkFile(t, "parquet", SinkOptions{}, schema, records))["x"]
	var want []any
	for _, f := range in {
		want = append(want, f)
	}
	if diff := cmp.Diff(want, got, floatBits); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
