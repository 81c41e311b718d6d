package features

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfdataset/nfdataset/meter"
)

// udpPacket builds a meter packet carrying payload from 10.0.0.1:port1 to
// 10.0.0.2:port2 (dir 1 swaps them).
func udpPacket(dir uint8, p1, p2 uint16, payload []byte) *meter.Packet {
	ip := make([]byte, 28+len(payload))
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
	ip[9] = 17
	src, dst := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	if dir == 1 {
		src, dst, p1, p2 = dst, src, p2, p1
	}
	s4, d4 := src.As4(), dst.As4()
	copy(ip[12:], s4[:])
	copy(ip[16:], d4[:])
	binary.BigEndian.PutUint16(ip[20:], p1)
	binary.BigEndian.PutUint16(ip[22:], p2)
	binary.BigEndian.PutUint16(ip[24:], uint16(8+len(payload)))
	copy(ip[28:], payload)
	return &meter.Packet{Direction: dir, SrcIP: src, DstIP: dst, SrcPort: p1, DstPort: p2, Protocol: 17, IPVersion: 4,
		IPPacket: ip, L4Offset: 20, PayloadOffset: 28, PayloadSize: uint16(len(payload)), TransportSize: uint16(8 + len(payload))}
}

func newDPISet(t *testing.T, n int64) *dpiSet {
	t.Helper()
	spec, ok := Lookup("dpi")
	if !ok {
		t.Fatal("dpi set not registered")
	}
	opts, err := spec.Resolve(Options{"n_dissections": n})
	if err != nil {
		t.Fatal(err)
	}
	s, err := spec.New(opts, Env{})
	if err != nil {
		t.Fatal(err)
	}
	d := s.(*dpiSet)
	d.SetSlot(0)
	return d
}

// run feeds packets through the set's hooks and returns the DPI columns.
func (s *dpiSet) run(pkts []*meter.Packet) []string {
	f := &meter.Flow{Ext: make([]any, 1)}
	for i, p := range pkts {
		if i == 0 {
			s.Init(p, f)
		} else {
			s.Update(p, f)
		}
	}
	s.Expire(f)
	dst := make([]Value, len(s.Columns()))
	s.Fill(0, f, dst)
	out := make([]string, len(dst))
	for i, v := range dst {
		out[i] = v.Str
		if s.Columns()[i].Kind == Int {
			out[i] = string(rune('0' + v.Int))
		}
	}
	return out
}

func TestDPISetDissectionLimit(t *testing.T) {
	// A DNS query for b.config.skype.com (skype.pcap), sent as the second
	// packet of a flow on port 53 after an opaque one.
	query := []byte{0xcd, 0x36, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x01, 'b', 0x06, 'c', 'o', 'n', 'f', 'i', 'g', 0x05, 's', 'k', 'y', 'p', 'e', 0x03, 'c', 'o', 'm', 0x00, 0x00, 0x01, 0x00, 0x01}
	pkts := []*meter.Packet{udpPacket(0, 40000, 53, []byte{0xff}), udpPacket(0, 40000, 53, query)}
	tests := []struct {
		n    int64
		want []string
	}{
		// n_dissections 1: only the opaque packet is seen, then the port guess.
		{1, []string{"DNS", "Network", "1", "1", "", "", "", "", ""}},
		{2, []string{"DNS.Skype_Teams", "Network", "0", "6", "b.config.skype.com", "", "", "", ""}},
	}
	for _, tt := range tests {
		got := newDPISet(t, tt.n).run(pkts)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("n_dissections=%d (-want +got):\n%s", tt.n, diff)
		}
	}
	spec, _ := Lookup("dpi")
	opts, _ := spec.Resolve(Options{"n_dissections": int64(0)})
	if _, err := spec.New(opts, Env{}); err == nil {
		t.Error("n_dissections 0 accepted; the set is simply not requested instead")
	}
}
