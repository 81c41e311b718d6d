package labelers

import (
	"net/netip"
	"path"

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

func intOf(v features.View, name string) (int64, bool) {
	x, k, ok := v.Value(name)
	if !ok {
		return 0, false
	}
	switch k {
	case features.Int:
		return x.Int, true
	case features.Float:
		return int64(x.Float), true
	}
	return 0, false
}

func strOf(v features.View, name string) string {
	x, k, ok := v.Value(name)
	if !ok || k != features.String {
		return ""
	}
	return x.Str
}

func readFacts(v features.View) facts {
	var f facts
	if fl := v.Flow; fl != nil {
		f.srcIP, f.dstIP = fl.SrcIP.Unmap(), fl.DstIP.Unmap()
		f.srcPort, f.dstPort, f.proto = fl.SrcPort, fl.DstPort, fl.Protocol
		f.firstMs, f.lastMs = int64(fl.FirstSeen), int64(fl.LastSeen)
		f.packets, f.bytes = int64(fl.Packets), int64(fl.Bytes)
		f.s2dPackets, f.d2sPackets = int64(fl.Src2Dst.Packets), int64(fl.Dst2Src.Packets)
		f.s2dPayload, f.d2sPayload = int64(fl.Src2Dst.PayloadBytes), int64(fl.Dst2Src.PayloadBytes)
		f.hasPayload = true
		return f
	}
	f.srcIP, _ = netip.ParseAddr(strOf(v, "src_ip"))
	f.dstIP, _ = netip.ParseAddr(strOf(v, "dst_ip"))
	f.srcIP, f.dstIP = f.srcIP.Unmap(), f.dstIP.Unmap()
	n, _ := intOf(v, "src_port")
	f.srcPort = uint16(n)
	n, _ = intOf(v, "dst_port")
	f.dstPort = uint16(n)
	n, _ = intOf(v, "protocol")
	f.proto = uint8(n)
	f.firstMs, _ = intOf(v, "bidirectional_first_seen_ms")
	f.lastMs, _ = intOf(v, "bidirectional_last_seen_ms")
	f.packets, _ = intOf(v, "bidirectional_packets")
	f.bytes, _ = intOf(v, "bidirectional_bytes")
	f.s2dPackets, _ = intOf(v, "src2dst_packets")
	f.d2sPackets, _ = intOf(v, "dst2src_packets")
	var ok1, ok2 bool
	f.s2dPayload, ok1 = intOf(v, "src2dst_payload_bytes")
	f.d2sPayload, ok2 = intOf(v, "dst2src_payload_bytes")
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
