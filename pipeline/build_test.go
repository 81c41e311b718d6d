package pipeline

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLabelsDerivedAndSource(t *testing.T) {
	out := buildTestDataset(t, `[dataset]
name = "labels"
[[input]]
path = "CAPTURES/dns_ambiguous_names.pcap"
name = "dns"
[[input]]
files = ["CAPTURES/dhcp.pcap", "CAPTURES/google_ssl.pcap"]
[features]
[[features.derived]]
name = "bytes_per_packet"
expr = "float(bidirectional_bytes) / float(bidirectional_packets)"
type = "float"
[[label]]
kind = "rules"
default = "OTHER"
[[label.rule]]
label = "DNS"
dst_port = 53
protocol = "udp"
[output]
path = "OUT"
format = "jsonl"
drop = ["src_mac", "dst_mac"]
`, 2)
	tbl, err := ReadDataset(out)
	if err != nil {
		t.Fatal(err)
	}
	n := len(tbl.Columns)
	if diff := cmp.Diff([]string{"bytes_per_packet", "source", "label"}, tbl.Columns[n-3:]); diff != "" {
		t.Errorf("last columns (-want +got):\n%s", diff)
	}
	if slices.Contains(tbl.Columns, "src_mac") {
		t.Error("src_mac not dropped")
	}
	col := func(name string) int { return slices.Index(tbl.Columns, name) }
	type row struct {
		Source string
		ID     float64
		Label  string
		BPP    bool
	}
	var got []row
	for _, r := range tbl.Rows {
		bytes, pkts := r[col("bidirectional_bytes")].Num, r[col("bidirectional_packets")].Num
		got = append(got, row{r[col("source")].Str, r[col("id")].Num, r[col("label")].Str, r[col("bytes_per_packet")].Num == bytes/pkts})
	}
	var want []row
	for i := range 10 {
		want = append(want, row{"dns", float64(i), "DNS", true})
	}
	want = append(want, row{"dhcp.pcap", 0, "OTHER", true}, row{"dhcp.pcap", 1, "OTHER", true}, row{"dhcp.pcap", 2, "OTHER", true})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	prov, err := ReadProvenance(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(prov.Labelers) != 1 || prov.Labelers[0].Report == nil || prov.Derived == nil || len(prov.Inputs[1].Files) != 2 {
		t.Errorf("provenance: labelers %+v, derived %+v, inputs %+v", prov.Labelers, prov.Derived, prov.Inputs)
	}
}
