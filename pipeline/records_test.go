package pipeline

import (
	"bytes"
	"io"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/features"
)

var recordSchema = features.Schema{
	{Name: "i", Kind: features.Int},
	{Name: "f", Kind: features.Float},
	{Name: "s", Kind: features.String, Nullable: true},
	{Name: "l", Kind: features.IntList},
}

func TestRecordRoundTrip(t *testing.T) {
	recs := []features.Record{
		{features.IntValue(-1 << 62), features.FloatValue(math.Inf(-1)), features.StringValue("TLS.Google"), features.ListValue([]int64{0, 1, -1})},
		{features.IntValue(0), features.FloatValue(0.1), {Null: true}, features.ListValue([]int64{})},
		{{Null: true}, {Null: true}, features.StringValue(""), {Null: true}},
	}
	var buf bytes.Buffer
	w, err := newRecordWriter(&buf, recordSchema)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := newRecordReader(bytes.NewReader(buf.Bytes()), recordSchema)
	if err != nil {
		t.Fatal(err)
	}
	var got []features.Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec)
	}
	if diff := cmp.Diff(recs, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// A truncated file is an error, never a short dataset.
	r, _ = newRecordReader(bytes.NewReader(buf.Bytes()[:buf.Len()-2]), recordSchema)
	for {
		_, err := r.Next()
		if err == io.EOF {
			t.Fatal("a truncated record file read as complete")
		}
		if err != nil {
			break
		}
	}
}

func BenchmarkRecordRoundTrip(b *testing.B) {
	rec := features.Record{features.IntValue(1234567), features.FloatValue(3.25), features.StringValue("192.168.10.50"), features.ListValue([]int64{0, 1, 0, 1, 1, 0, -1, -1, -1, -1})}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		w, _ := newRecordWriter(&buf, recordSchema)
		for range 1000 {
			w.Write(rec)
		}
		w.Close()
		r, _ := newRecordReader(bytes.NewReader(buf.Bytes()), recordSchema)
		for {
			if _, err := r.Next(); err != nil {
				break
			}
		}
	}
}
