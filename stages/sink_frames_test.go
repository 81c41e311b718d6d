package stages

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfdataset/nfdataset/features"
)

// decodeFrames is an independent reader of the layout documented on
// FramesSink: it returns the schema fields and every row, nulls as nil.
func decodeFrames(t *testing.T, b []byte) ([]frameField, [][]any, int) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(FramesMagic)) {
		t.Fatalf("no magic: %q", b[:min(8, len(b))])
	}
	pos := len(FramesMagic)
	u64 := func() uint64 {
		v := binary.LittleEndian.Uint64(b[pos:])
		pos += 8
		return v
	}
	padded := func(n int) []byte {
		out := b[pos : pos+n]
		pos += n + (-n & 7)
		return out
	}
	var fields []frameField
	if err := json.Unmarshal(padded(int(u64())), &fields); err != nil {
		t.Fatal(err)
	}
	var rows [][]any
	batches := 0
	for {
		n := u64()
		if n == framesEnd {
			break
		}
		batches++
		start := len(rows)
		for range n {
			rows = append(rows, make([]any, len(fields)))
		}
		for c, f := range fields {
			valid := padded(int(u64()))
			isValid := func(i int) bool { return valid[i/8]&(1<<(i%8)) != 0 }
			switch f.Kind {
			case "int", "float":
				vals := padded(int(u64()))
				for i := range int(n) {
					if !isValid(i) {
						continue
					}
					x := binary.LittleEndian.Uint64(vals[8*i:])
					if f.Kind == "int" {
						rows[start+i][c] = int64(x)
					} else {
						rows[start+i][c] = math.Float64frombits(x)
					}
				}
			case "string", "int_list":
				offs := padded(int(u64()))
				data := padded(int(u64()))
				off := func(i int) int { return int(binary.LittleEndian.Uint32(offs[4*i:])) }
				for i := range int(n) {
					if !isValid(i) {
						continue
					}
					if f.Kind == "string" {
						rows[start+i][c] = string(data[off(i):off(i+1)])
						continue
					}
					list := []int64{}
					for j := off(i); j < off(i+1); j++ {
						list = append(list, int64(binary.LittleEndian.Uint64(data[8*j:])))
					}
					rows[start+i][c] = list
				}
			}
		}
	}
	if pos != len(b) {
		t.Errorf("%d bytes after the end mark", len(b)-pos)
	}
	return fields, rows, batches
}

func TestFramesSinkRoundTrip(t *testing.T) {
	schema := features.Schema{
		{Name: "id", Kind: features.Int},
		{Name: "mean", Kind: features.Float},
		{Name: "src_ip", Kind: features.String},
		{Name: "sni", Kind: features.String, Nullable: true},
		{Name: "splt_ps", Kind: features.IntList},
		{Name: "udps.n", Kind: features.Int, Nullable: true},
	}
	var records []features.Record
	var want [][]any
	for i := range 11 {
		sni := ""
		var wantSNI any
		if i%3 == 0 {
			sni = "example.org"
			wantSNI = sni
		}
		udps := features.Value{Null: i%2 == 1, Int: int64(-i)}
		var wantUDPS any = int64(-i)
		if udps.Null {
			wantUDPS = nil
		}
		list := make([]int64, i%4)
		for j := range list {
			list[j] = int64(j*100 - 1)
		}
		records = append(records, features.Record{
			features.IntValue(int64(i) << 40), features.FloatValue(float64(i) / 3),
			features.StringValue("10.0.0.\xff"), features.StringValue(sni),
			features.ListValue(list), udps,
		})
		want = append(want, []any{int64(i) << 40, float64(i) / 3, "10.0.0.\ufffd", wantSNI, append([]int64{}, list...), wantUDPS})
	}
	for _, batchRows := range []int{0, 1, 4, 11} {
		path := filepath.Join(t.TempDir(), "out.frames")
		out, err := CreateOutput(path)
		if err != nil {
			t.Fatal(err)
		}
		writeRecords(t, NewFramesSink(out, batchRows), schema, records)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fields, rows, batches := decodeFrames(t, b)
		wantFields := []frameField{{"id", "int", false}, {"mean", "float", false}, {"src_ip", "string", false},
			{"sni", "string", true}, {"splt_ps", "int_list", false}, {"udps.n", "int", true}}
		if diff := cmp.Diff(wantFields, fields); diff != "" {
			t.Errorf("schema (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("batch rows %d (-want +got):\n%s", batchRows, diff)
		}
		wantBatches := 1
		if batchRows > 0 {
			wantBatches = (len(records) + batchRows - 1) / batchRows
		}
		if batches != wantBatches {
			t.Errorf("batch rows %d: %d batches, want %d", batchRows, batches, wantBatches)
		}
	}
}

// A stream with no flows still has its schema and end mark; an aborted one
// has no end mark, so the reader can tell it from a complete capture.
func TestFramesSinkEmptyAndAbort(t *testing.T) {
	schema := features.Schema{{Name: "id", Kind: features.Int}}
	path := filepath.Join(t.TempDir(), "empty.frames")
	out, err := CreateOutput(path)
	if err != nil {
		t.Fatal(err)
	}
	writeRecords(t, NewFramesSink(out, 0), schema, nil)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, rows, _ := decodeFrames(t, b); len(rows) != 0 {
		t.Errorf("%d rows, want 0", len(rows))
	}

	path = filepath.Join(t.TempDir(), "aborted.frames")
	out, err = CreateOutput(path)
	if err != nil {
		t.Fatal(err)
	}
	s := NewFramesSink(out, 0)
	if err := s.Begin(schema); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(features.Record{features.IntValue(1)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("aborted file exists (err %v)", err)
	}
}
