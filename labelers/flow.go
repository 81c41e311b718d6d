package labelers

import (
	"net/netip"
	"path"
	"sync/atomic"

	"github.com/nfdataset/nfdataset/features"
)

// facts are the values of one flow that labelers compare, read once per
// Label call from the meter's flow when the view has it, else from the
// record's columns (NFStream's names).
type facts struct {
	srcIP, dstIP           netip.Addr
	srcPort, dstPort       uint16
	proto                  uint8
	firstMs, lastMs        int64
	packets, bytes         int64
	s2dPackets, d2sPackets int64
	s2dPayload, d2sPayload int64
	hasPayload             bool // payload counters known
}

// Columns facts reads from records, in factCol order.
var factColumns = [...]string{
	"src_ip", "dst_ip", "src_port", "dst_port", "protocol",
	"bidirectional_first_seen_ms", "bidirectional_last_seen_ms", "bidirectional_packets", "bidirectional_bytes",
	"src2dst_packets", "dst2src_packets", "src2dst_payload_bytes", "dst2src_payload_bytes",
	"application_name", "application_category_name",
}

const (
	colSrcIP = iota
	colDstIP
	colSrcPort
	colDstPort
	colProto
	colFirst
	colLast
	colPackets
	colBytes
	colS2DPackets
	colD2SPackets
	colS2DPayload
	colD2SPayload
	colApp
	colCategory
	nFactCols
)

// colIndex is where factColumns sit in one schema (-1: absent).
type colIndex struct {
	first *features.Column // identity of the schema: its backing array
	n     int
	at    [nFactCols]int
}

// factReader reads facts from views, remembering the column positions of
// the last schema seen: a build hands every record of a job with the same
// schema slice, so the lookup by name happens once, not once per flow.
type factReader struct {
	cache atomic.Pointer[colIndex]
}

func (r *factReader) index(s features.Schema) *colIndex {
	if len(s) == 0 {
		return &colIndex{at: [nFactCols]int{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}}
	}
	if c := r.cache.Load(); c != nil && c.first == &s[0] && c.n == len(s) {
		return c
	}
	c := &colIndex{first: &s[0], n: len(s)}
	for i, name := range factColumns {
		c.at[i] = s.Index(name)
	}
	r.cache.Store(c)
	return c
}

func (c *colIndex) int(v features.View, col int) (int64, bool) {
	i := c.at[col]
	if i < 0 || i >= len(v.Record) {
		return 0, false
	}
	switch v.Schema[i].Kind {
	case features.Int:
		return v.Record[i].Int, true
	case features.Float:
		return int64(v.Record[i].Float), true
	}
	return 0, false
}

func (c *colIndex) str(v features.View, col int) string {
	i := c.at[col]
	if i < 0 || i >= len(v.Record) || v.Schema[i].Kind != features.String {
		return ""
	}
	return v.Record[i].Str
}

// strings returns application_name and application_category_name.
func (r *factReader) app(v features.View) (string, string) {
	c := r.index(v.Schema)
	return c.str(v, colApp), c.str(v, colCategory)
}

func (r *factReader) read(v features.View) facts {
	var f facts
	if fl := v.Flow; fl != nil {
		f.srcIP, f.dstIP = fl.SrcIP().Unmap(), fl.DstIP().Unmap()
		f.srcPort, f.dstPort, f.proto = fl.SrcPort, fl.DstPort, fl.Protocol
		f.firstMs, f.lastMs = int64(fl.FirstSeen), int64(fl.LastSeen)
		f.packets, f.bytes = int64(fl.Packets), int64(fl.Bytes)
		f.s2dPackets, f.d2sPackets = int64(fl.Src2Dst.Packets), int64(fl.Dst2Src.Packets)
		f.s2dPayload, f.d2sPayload = int64(fl.Src2Dst.PayloadBytes), int64(fl.Dst2Src.PayloadBytes)
		f.hasPayload = true
		return f
	}
	c := r.index(v.Schema)
	f.srcIP, _ = netip.ParseAddr(c.str(v, colSrcIP))
	f.dstIP, _ = netip.ParseAddr(c.str(v, colDstIP))
	f.srcIP, f.dstIP = f.srcIP.Unmap(), f.dstIP.Unmap()
	n, _ := c.int(v, colSrcPort)
	f.srcPort = uint16(n)
	n, _ = c.int(v, colDstPort)
	f.dstPort = uint16(n)
	n, _ = c.int(v, colProto)
	f.proto = uint8(n)
	f.firstMs, _ = c.int(v, colFirst)
	f.lastMs, _ = c.int(v, colLast)
	f.packets, _ = c.int(v, colPackets)
	f.bytes, _ = c.int(v, colBytes)
	f.s2dPackets, _ = c.int(v, colS2DPackets)
	f.d2sPackets, _ = c.int(v, colD2SPackets)
	var ok1, ok2 bool
	f.s2dPayload, ok1 = c.int(v, colS2DPayload)
	f.d2sPayload, ok2 = c.int(v, colD2SPayload)
	f.hasPayload = ok1 && ok2
	return f
}

// swapped returns the facts seen from the other side.
func (f facts) swapped() facts {
	f.srcIP, f.dstIP = f.dstIP, f.srcIP
	f.srcPort, f.dstPort = f.dstPort, f.srcPort
	f.s2dPackets, f.d2sPackets = f.d2sPackets, f.s2dPackets
	f.s2dPayload, f.d2sPayload = f.d2sPayload, f.s2dPayload
	return f
}

// glob is a shell pattern (* ? [...]) compiled once.
type glob struct{ pattern string }

func newGlob(p string) (glob, error) {
	if _, err := path.Match(p, ""); err != nil {
		return glob{}, err
	}
	return glob{p}, nil
}

func (g glob) match(s string) bool {
	ok, _ := path.Match(g.pattern, s)
	return ok
}
