package pipeline

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/stages"
)

// buildTestDataset builds manifest text (CAPTURES and OUT replaced) and
// returns the dataset directory.
func buildTestDataset(t *testing.T, text string, jobs int) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	buildInto(t, text, out, PlanOptions{}, BuildOptions{Jobs: jobs})
	return out
}

// richManifest uses every column kind, nullable strings included (dpi when
// it is registered).
func richManifest(format string) string {
	sets := `"base", "stats", "splt"`
	if _, ok := features.Lookup("dpi"); ok {
		sets += `, "dpi"`
	}
	return `[dataset]
name = "arrow"
[[input]]
path = "CAPTURES/*.pcap"
[features]
sets = [` + sets + `]
[output]
path = "OUT"
format = "` + format + `"
`
}

// TestParquetReadByArrow reads our Parquet with Apache Arrow's independent
// implementation and checks types, nulls and values against the CSV output
// of the same captures.
func TestParquetReadByArrow(t *testing.T) {
	pq := buildTestDataset(t, richManifest("parquet"), 2)
	cs := buildTestDataset(t, richManifest("csv"), 2)
	prov, err := ReadProvenance(pq)
	if err != nil {
		t.Fatal(err)
	}

	f, err := os.Open(filepath.Join(cs, "part-00000.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header, rows := rows[0], rows[1:]

	rdr, err := file.OpenParquetFile(filepath.Join(pq, "part-00000.parquet"), false)
	if err != nil {
		t.Fatalf("arrow cannot open our Parquet: %v", err)
	}
	defer rdr.Close()
	for _, key := range []string{"nfdataset.provenance", "nfdataset.version", "nfdataset.manifest_sha256"} {
		if rdr.MetaData().KeyValueMetadata().FindValue(key) == nil {
			t.Errorf("key/value metadata lacks %s", key)
		}
	}
	// The data files carry nothing that depends on how nfdataset was built.
	if v := rdr.MetaData().KeyValueMetadata().FindValue("nfdataset.provenance"); v != nil && strings.Contains(*v, "vcs_revision") {
		t.Error("the Parquet metadata carries the VCS revision")
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("arrow cannot read our Parquet: %v", err)
	}
	defer tbl.Release()

	if int(tbl.NumCols()) != len(header) || int(tbl.NumRows()) != len(rows) {
		t.Fatalf("arrow sees %d×%d, CSV has %d×%d", tbl.NumRows(), tbl.NumCols(), len(rows), len(header))
	}
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	wantType := map[string]arrow.Type{"int": arrow.INT64, "float": arrow.FLOAT64, "string": arrow.STRING, "int_list": arrow.LIST}
	nulls := 0
	for c := 0; c < int(tbl.NumCols()); c++ {
		field := tbl.Schema().Field(c)
		col := prov.Columns[c]
		if field.Name != header[c] || field.Name != col.Name {
			t.Fatalf("column %d: arrow %q, CSV %q, dataset.json %q", c, field.Name, header[c], col.Name)
		}
		if field.Type.ID() != wantType[col.Type] {
			t.Errorf("column %s: arrow type %s, want %s", col.Name, field.Type, col.Type)
		}
		r := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := 0; i < chunk.Len(); i, r = i+1, r+1 {
				text := rows[r][c]
				if chunk.IsNull(i) {
					nulls++
					if !col.Nullable || text != "" {
						t.Errorf("row %d %s: null in Parquet, %q in CSV (nullable %t)", r, col.Name, text, col.Nullable)
					}
					continue
				}
				if got := arrowText(t, chunk, i); got != text {
					t.Errorf("row %d %s: Parquet %q, CSV %q", r, col.Name, got, text)
				}
				if s, ok := chunk.(*array.String); ok && col.Nullable && s.Value(i) == "" {
					t.Errorf("row %d %s: empty string where null was due", r, col.Name)
				}
			}
		}
	}
	if _, ok := features.Lookup("dpi"); ok && nulls == 0 {
		t.Error("no null at all: the DPI columns should leave some strings empty")
	}
	if i := tbl.Schema().FieldIndices(SourceColumn); len(i) != 1 {
		t.Errorf("no %s column", SourceColumn)
	}
}

// arrowText formats a value as our CSV sink does.
func arrowText(t *testing.T, arr arrow.Array, i int) string {
	switch a := arr.(type) {
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Float64:
		return string(stages.AppendPythonFloat(nil, a.Value(i)))
	case *array.String:
		return a.Value(i) // encoding/csv has unquoted the CSV side
	case *array.List:
		start, end := a.ValueOffsets(i)
		elems := a.ListValues().(*array.Int64)
		parts := make([]string, 0, end-start)
		for j := start; j < end; j++ {
			parts = append(parts, strconv.FormatInt(elems.Value(int(j)), 10))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	t.Fatalf("unexpected arrow type %s", arr.DataType())
	return ""
}
