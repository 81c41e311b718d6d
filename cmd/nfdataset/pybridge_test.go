package main

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/meter"
)

// fakeSet fills fixed values, standing for the stats, splt and dpi sets
// whose Fill the bridge reads mid-flow.
type fakeSet struct {
	cols features.Schema
	vals []features.Value
}

func (s *fakeSet) Init(*meter.Packet, *meter.Flow)                   {}
func (s *fakeSet) Update(*meter.Packet, *meter.Flow)                 {}
func (s *fakeSet) Expire(*meter.Flow)                                {}
func (s *fakeSet) Columns() features.Schema                          { return s.cols }
func (s *fakeSet) Fill(_ int64, _ *meter.Flow, dst []features.Value) { copy(dst, s.vals) }

func block(name string, s *fakeSet) pyBlock {
	return pyBlock{name: name, set: s, cols: s.cols, vals: make([]features.Value, len(s.cols))}
}

// TestPyBridgeBlocks checks the block encoding Python decodes
// (python/nfdataset/_pyplugins.py) and when a block is left out: splt once
// the flow has more packets than the lists, dpi while nothing changed.
func TestPyBridgeBlocks(t *testing.T) {
	le := binary.LittleEndian
	stats := &fakeSet{
		cols: features.Schema{{Name: "a_min_ps", Kind: features.Int}, {Name: "a_mean_ps", Kind: features.Float}, {Name: "x", Kind: features.Float}},
		vals: []features.Value{features.IntValue(-3), features.FloatValue(math.Inf(1)), {Null: true}},
	}
	splt := &fakeSet{
		cols: features.Schema{{Name: "splt_ps", Kind: features.IntList}},
		vals: []features.Value{features.ListValue([]int64{60, -1})},
	}
	dpi := &fakeSet{
		cols: features.Schema{{Name: "application_name", Kind: features.String}, {Name: "application_confidence", Kind: features.Int}},
		vals: []features.Value{features.StringValue("TLS"), features.IntValue(6)},
	}
	b := &pyBridge{blocks: []pyBlock{block("stats", stats), block("splt", splt), block("dpi", dpi)}}
	var st pyFlow
	f := &meter.Flow{Packets: 1}

	var want []byte
	want = le.AppendUint64(append(want, 1), 1<<2)
	want = le.AppendUint64(want, uint64(0xFFFFFFFFFFFFFFFD))
	want = le.AppendUint64(want, math.Float64bits(math.Inf(1)))
	want = le.AppendUint64(want, 0)
	statsBytes := append([]byte(nil), want...)
	want = le.AppendUint64(append(want, 1), 0)
	want = le.AppendUint16(want, 2)
	want = le.AppendUint64(le.AppendUint64(want, 60), uint64(0xFFFFFFFFFFFFFFFF))
	want = le.AppendUint64(append(want, 1), 0)
	want = append(le.AppendUint16(want, 3), "TLS"...)
	want = le.AppendUint64(want, 6)

	encode := func() []byte {
		var e []byte
		for i := range b.blocks {
			e = b.appendBlock(e, &b.blocks[i], f, &st)
		}
		return e
	}
	if diff := cmp.Diff(want, encode()); diff != "" {
		t.Fatalf("first packet (-want +got):\n%s", diff)
	}
	// Second packet: the splt lists can still change (n = 2), dpi did not.
	f.Packets = 2
	spltBytes := want[len(statsBytes) : len(want)-(1+8+2+3+8)]
	if diff := cmp.Diff(append(append(append([]byte(nil), statsBytes...), spltBytes...), 0), encode()); diff != "" {
		t.Fatalf("second packet (-want +got):\n%s", diff)
	}
	// Third packet: splt lists are complete (2 packets), dpi unchanged.
	f.Packets = 3
	if diff := cmp.Diff(append(append(statsBytes, 0), 0), encode()); diff != "" {
		t.Fatalf("unchanged blocks (-want +got):\n%s", diff)
	}
	// A changed dpi value is sent again.
	dpi.vals[0] = features.StringValue("TLS.Google")
	got := encode()
	if n := len(statsBytes) + 1; len(got) <= n || got[n] != 1 {
		t.Fatalf("changed dpi block not sent: %x", got)
	}
	// A new flow in a recycled state sends its dpi block even if equal.
	st.Reset()
	f.Packets = 1
	if got := encode(); len(got) != len(want)+len(".Google") {
		t.Fatalf("recycled state: %d bytes, want %d", len(got), len(want)+len(".Google"))
	}
}
