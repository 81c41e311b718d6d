package labelers_test

import (
	"path/filepath"
	"testing"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/labelers"
)

// BenchmarkCICRules labels a record read back from a dataset (no meter
// flow, as the pipeline's assembly does) with manifests/cic.toml's 21
// rules; the flow matches none, so every rule is tried.
func BenchmarkCICRules(b *testing.B) {
	tables, _, _ := manifestLabels(b, filepath.Join("..", "manifests", "cic.toml"))
	ls, err := labelers.Build(tables, "..")
	if err != nil {
		b.Fatal(err)
	}
	ext, err := features.NewExtractor([]features.Request{{Name: "base"}, {Name: "stats"}, {Name: "payload"}, {Name: "cic"}}, features.Env{})
	if err != nil {
		b.Fatal(err)
	}
	schema := ext.Schema()
	rec := make(features.Record, len(schema))
	set := func(name string, v features.Value) { rec[schema.Index(name)] = v }
	set("src_ip", features.StringValue("192.168.10.5"))
	set("dst_ip", features.StringValue("172.16.0.1"))
	set("protocol", features.IntValue(6))
	set("bidirectional_first_seen_ms", features.IntValue(1499347200000))
	set("bidirectional_last_seen_ms", features.IntValue(1499347200100))
	v := features.View{Schema: schema, Record: rec}
	b.ReportAllocs()
	for b.Loop() {
		if ls[0].Label(v) != "BENIGN" {
			b.Fatal("not benign")
		}
	}
}
