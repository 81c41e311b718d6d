package stages

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nfdataset/nfdataset/features"
)

// sinkTestSchema has one column of every kind, nullable and not.
var sinkTestSchema = features.Schema{
	{Name: "id", Kind: features.Int},
	{Name: "src_ip", Kind: features.String},
	{Name: "bidirectional_mean_ps", Kind: features.Float},
	{Name: "splt_ps", Kind: features.IntList},
	{Name: "user_agent", Kind: features.String, Nullable: true},
	{Name: "udps.maybe_int", Kind: features.Int, Nullable: true},
	{Name: "udps.maybe_float", Kind: features.Float, Nullable: true},
	{Name: "udps.maybe_list", Kind: features.IntList, Nullable: true},
}

// sinkTestRecords exercise the awkward values: empty and null cells,
// separators and quotes in strings, non-ASCII, extreme numbers.
var sinkTestRecords = []features.Record{
	{
		features.IntValue(0), features.StringValue("192.168.43.18"), features.FloatValue(302.36842105263156),
		features.ListValue([]int64{74, 74, 66, -1}), features.StringValue("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"),
		features.IntValue(7), features.FloatValue(440), features.ListValue([]int64{1}),
	},
	{
		features.IntValue(1), features.StringValue(""), features.FloatValue(1e-05),
		features.ListValue(nil), features.StringValue(""),
		{Null: true}, {Null: true}, {Null: true},
	},
	{
		features.IntValue(math.MaxInt64), features.StringValue(`say "hi", then
leave`), features.FloatValue(1e16),
		features.ListValue([]int64{math.MinInt64, 0}), features.StringValue("café ☕ \\ \t"),
		features.IntValue(-1), features.FloatValue(math.Copysign(0, -1)), features.ListValue([]int64{}),
	},
	{
		features.IntValue(-42), features.StringValue("fe80::1"), features.FloatValue(80.49999999999999),
		features.ListValue([]int64{0, 1, 0, 0, 1}), {Null: true},
		features.IntValue(0), features.FloatValue(123456789012345.6), features.ListValue([]int64{-1, -1}),
	},
}

// writeRecords runs a sink over the records and closes it.
func writeRecords(t testing.TB, sink Sink, schema features.Schema, records []features.Record) {
	t.Helper()
	if err := sink.Begin(schema); err != nil {
		t.Fatal(err)
	}
	for _, rec := range records {
		if err := sink.Write(rec); err != nil {
			sink.Abort()
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeSinkFile writes the records in format to a new file and returns its path.
func writeSinkFile(t testing.TB, format string, opts SinkOptions, schema features.Schema, records []features.Record) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out."+format)
	sink, err := NewSink(format, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	writeRecords(t, sink, schema, records)
	return path
}

// nfstreamGoldenDir holds NFStream's own CSV output for the shared test captures.
const nfstreamGoldenDir = "../../shared/spec/golden/full"

// goldenTable is an NFStream CSV file parsed into typed records.
type goldenTable struct {
	schema  features.Schema
	records []features.Record
	text    [][]string // each field's text as NFStream wrote it, quotes removed
}

// readGolden parses an NFStream CSV (every string quoted, quotes
// backslash-escaped) into records. Kinds follow the column names, as in
// spec §5: means and standard deviations are floats, splt_* lists, quoted
// fields strings, the rest ints.
func readGolden(t *testing.T, path string) goldenTable {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skipf("%s not found: the shared NFStream goldens are not checked out next to the repository", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	var table goldenTable
	for _, name := range strings.Split(lines[0], ",") {
		col := features.Column{Name: name, Kind: features.Int}
		switch {
		case strings.Contains(name, "_mean_") || strings.Contains(name, "_stddev_"):
			col.Kind = features.Float
		case strings.HasPrefix(name, "splt_"):
			col.Kind = features.IntList
		}
		table.schema = append(table.schema, col)
	}
	for n, line := range lines[1:] {
		fields, quoted, err := splitNFStreamCSVLine(line)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, n+2, err)
		}
		if len(fields) != len(table.schema) {
			t.Fatalf("%s:%d: %d fields for %d columns", path, n+2, len(fields), len(table.schema))
		}
		rec := make(features.Record, len(fields))
		for i, text := range fields {
			col := &table.schema[i]
			if quoted[i] && col.Kind == features.Int {
				col.Kind = features.String
			}
			rec[i], err = parseGoldenValue(col.Kind, text)
			if err != nil {
				t.Fatalf("%s:%d: column %s: %v", path, n+2, col.Name, err)
			}
		}
		table.records = append(table.records, rec)
		table.text = append(table.text, fields)
	}
	return table
}

// splitNFStreamCSVLine splits one line of NFStream's CSV dialect.
func splitNFStreamCSVLine(line string) (fields []string, quoted []bool, err error) {
	for i := 0; ; {
		if i < len(line) && line[i] == '"' {
			var field strings.Builder
			j := i + 1
			for ; j < len(line) && line[j] != '"'; j++ {
				if line[j] == '\\' && j+1 < len(line) && line[j+1] == '"' {
					j++
				}
				field.WriteByte(line[j])
			}
			if j == len(line) {
				return nil, nil, fmt.Errorf("unterminated quote at byte %d", i)
			}
			fields, quoted = append(fields, field.String()), append(quoted, true)
			i = j + 1
		} else {
			j := strings.IndexByte(line[i:], ',')
			if j < 0 {
				j = len(line) - i
			}
			fields, quoted = append(fields, line[i:i+j]), append(quoted, false)
			i += j
		}
		if i == len(line) {
			return fields, quoted, nil
		}
		if line[i] != ',' {
			return nil, nil, fmt.Errorf("byte %d: want a comma after a field", i)
		}
		i++
	}
}

func parseGoldenValue(kind features.Kind, text string) (features.Value, error) {
	switch kind {
	case features.Int:
		v, err := strconv.ParseInt(text, 10, 64)
		return features.IntValue(v), err
	case features.Float:
		v, err := strconv.ParseFloat(text, 64)
		return features.FloatValue(v), err
	case features.IntList:
		inner, okOpen := strings.CutPrefix(text, "[")
		inner, okClose := strings.CutSuffix(inner, "]")
		if !okOpen || !okClose {
			return features.Value{}, fmt.Errorf("list %q", text)
		}
		list := []int64{}
		if inner != "" {
			for _, e := range strings.Split(inner, ", ") {
				v, err := strconv.ParseInt(e, 10, 64)
				if err != nil {
					return features.Value{}, err
				}
				list = append(list, v)
			}
		}
		return features.ListValue(list), nil
	}
	return features.StringValue(text), nil
}
