package meter

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ppiWrap puts frame behind a PPI header (version 0, flags 0, length,
// inner DLT, all little-endian) followed by fields, an opaque block.
func ppiWrap(inner uint32, fields, frame []byte) []byte {
	b := []byte{0, 0}
	b = binary.LittleEndian.AppendUint16(b, uint16(8+len(fields)))
	b = binary.LittleEndian.AppendUint32(b, inner)
	b = append(b, fields...)
	return append(b, frame...)
}

// wifiFrame is an 802.11 data frame with frame control fc carrying ip
// behind LLC/SNAP; the addresses are chosen so that, whatever the DS bits,
// the source MAC is 00:11:22:33:44:55 and the destination 66:77:88:99:aa:bb
// (frame's Ethernet addresses).
func wifiFrame(fc uint16, ip []byte) []byte {
	src := []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}
	dst := []byte{0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb}
	bss := []byte{0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}
	b := binary.LittleEndian.AppendUint16(nil, fc)
	b = append(b, 0, 0) // duration
	toDS, fromDS := fc&0x0100 != 0, fc&0x0200 != 0
	switch {
	case !toDS && !fromDS:
		b = append(append(append(b, dst...), src...), bss...)
	case toDS && !fromDS:
		b = append(append(append(b, bss...), src...), dst...)
	case !toDS && fromDS:
		b = append(append(append(b, dst...), bss...), src...)
	default:
		b = append(append(append(b, bss...), bss...), dst...)
	}
	b = append(b, 0, 0) // sequence control
	if toDS && fromDS {
		b = append(b, src...)
	}
	if (fc>>4)&0x8 != 0 {
		b = append(b, 0, 0) // QoS control
	}
	b = append(b, 0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00)
	return append(b, ip...)
}

// TestDecodePPI: a PPI frame decodes to the packet its inner frame gives as
// Ethernet (same addresses, ports, sizes and IP bytes), only with the
// option on; PPI inside PPI and a bad header are ignored.
func TestDecodePPI(t *testing.T) {
	eth := frame(6, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1234, 80, 20)
	var want Packet
	if !Decode(LinkEthernet, eth, 1000, DecodeOptions{}, &want) {
		t.Fatal("the Ethernet frame does not decode")
	}
	on := DecodeOptions{PPI: true}
	badVersion := ppiWrap(LinkEthernet, nil, eth)
	badVersion[0] = 1
	shortHeader := ppiWrap(LinkEthernet, nil, eth)
	shortHeader[2] = 4
	for _, c := range []struct {
		name  string
		frame []byte
		opt   DecodeOptions
		ok    bool
	}{
		{"Ethernet inside", ppiWrap(LinkEthernet, nil, eth), on, true},
		{"Ethernet after fields", ppiWrap(LinkEthernet, make([]byte, 24), eth), on, true},
		{"802.11 no DS", ppiWrap(LinkIEEE80211, nil, wifiFrame(0x0008, eth[14:])), on, true},
		{"802.11 to DS", ppiWrap(LinkIEEE80211, nil, wifiFrame(0x0108, eth[14:])), on, true},
		{"802.11 from DS", ppiWrap(LinkIEEE80211, nil, wifiFrame(0x0208, eth[14:])), on, true},
		{"802.11 WDS QoS", ppiWrap(LinkIEEE80211, nil, wifiFrame(0x0388, eth[14:])), on, true},
		{"802.11 protected", ppiWrap(LinkIEEE80211, nil, wifiFrame(0x4108, eth[14:])), on, false},
		{"802.11 management", ppiWrap(LinkIEEE80211, nil, wifiFrame(0x0000, eth[14:])), on, false},
		{"option off", ppiWrap(LinkEthernet, nil, eth), DecodeOptions{}, false},
		{"PPI in PPI", ppiWrap(LinkPPI, nil, ppiWrap(LinkEthernet, nil, eth)), on, false},
		{"version 1", badVersion, on, false},
		{"header length 4", shortHeader, on, false},
		{"header longer than the frame", ppiWrap(LinkEthernet, make([]byte, 200), eth)[:100], on, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got Packet
			ok := Decode(LinkPPI, c.frame, 1000, c.opt, &got)
			if ok != c.ok {
				t.Fatalf("Decode = %v, want %v", ok, c.ok)
			}
			if !ok {
				return
			}
			if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); d != "" {
				t.Errorf("packet (-Ethernet +PPI):\n%s", d)
			}
		})
	}
	if Decode(LinkIEEE80211, wifiFrame(0x0108, eth[14:]), 1000, on, new(Packet)) {
		t.Error("bare DLT 105 decoded; NFStream ignores it and so should the default")
	}
}

// TestDecodes: the link types Decodes names are exactly those Decode does
// not reject outright, for each option.
func TestDecodes(t *testing.T) {
	eth := frame(6, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1234, 80, 20)
	for _, opt := range []DecodeOptions{{}, {LinuxSLL2: true}, {PPI: true}} {
		for lt := uint32(0); lt < 300; lt++ {
			if lt == LinkPPI || lt == LinkIEEE80211 {
				continue // need their own frames; TestDecodePPI covers them
			}
			if Decodes(lt, opt) {
				continue
			}
			// Any frame at all of an undecoded type is ignored.
			for _, f := range [][]byte{eth, eth[14:], make([]byte, 100)} {
				if Decode(lt, f, uint32(len(f)), opt, new(Packet)) {
					t.Errorf("link type %d decoded with %+v, yet Decodes says no", lt, opt)
				}
			}
		}
	}
	for _, c := range []struct {
		lt   uint32
		opt  DecodeOptions
		want bool
	}{
		{LinkEthernet, DecodeOptions{}, true},
		{LinkPPI, DecodeOptions{}, false},
		{LinkPPI, DecodeOptions{PPI: true}, true},
		{LinkLinuxSLL2, DecodeOptions{}, false},
		{LinkLinuxSLL2, DecodeOptions{LinuxSLL2: true}, true},
		{LinkIEEE80211, DecodeOptions{PPI: true}, false},
		{147, DecodeOptions{}, false},
	} {
		if got := Decodes(c.lt, c.opt); got != c.want {
			t.Errorf("Decodes(%d, %+v) = %v, want %v", c.lt, c.opt, got, c.want)
		}
	}
}
