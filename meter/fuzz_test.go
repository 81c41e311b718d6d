package meter

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecode feeds arbitrary frames under every supported link type: the
// decoder must never panic or read outside the frame, and a decoded packet
// must describe bytes inside it.
func FuzzDecode(f *testing.F) {
	tcp := frame(6, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1234, 80, 20)
	udp := frame(17, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 2152, 2152, 40)
	vlan := append(append(append([]byte(nil), tcp[:12]...), 0x81, 0x00, 0x00, 0x07), tcp[12:]...)
	gtp := append([]byte(nil), udp...)
	gtp[42], gtp[43] = 0x30, 0xFF
	copy(gtp[50:], tcp[14:])
	for _, link := range []uint32{LinkNull, LinkEthernet, LinkPPP, LinkRaw, LinkPPPSerial, LinkCiscoHDLC, LinkLinuxSLL, LinkRadiotap, LinkIPv4, LinkIPv6} {
		f.Add(link, tcp, true)
		f.Add(link, udp, true)
		f.Add(link, vlan, false)
		f.Add(link, gtp, true)
		f.Add(link, tcp[14:], true)
	}
	v6 := make([]byte, 14+40+8)
	binary.BigEndian.PutUint16(v6[12:], 0x86DD)
	v6[14] = 0x60
	v6[14+4+1] = 8
	v6[14+6] = 17
	f.Add(uint32(LinkEthernet), v6, true)
	f.Fuzz(func(t *testing.T, link uint32, data []byte, tunnels bool) {
		var p Packet
		if !Decode(link%300, data, uint32(len(data)), DecodeOptions{Tunnels: tunnels, LinuxSLL2: true}, &p) {
			return
		}
		if len(p.IPPacket) > len(data) {
			t.Fatalf("IP packet of %d bytes in a %d-byte frame", len(p.IPPacket), len(data))
		}
		_ = p.Payload()
		if p.IPVersion != 4 && p.IPVersion != 6 {
			t.Fatalf("ip version %d", p.IPVersion)
		}
	})
}

// FuzzDecodePPI feeds arbitrary bytes as PPI frames (DLT 192) with PPI
// decoding on: the header's length and inner link type are attacker
// controlled, and neither may make the decoder read outside the frame.
func FuzzDecodePPI(f *testing.F) {
	tcp := frame(6, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1234, 80, 20)
	f.Add(ppiWrap(LinkEthernet, nil, tcp))                          // PPI, then Ethernet
	f.Add(ppiWrap(LinkEthernet, make([]byte, 20), tcp))             // with a field block
	f.Add(ppiWrap(LinkIEEE80211, nil, wifiFrame(0x0108, tcp[14:]))) // 802.11 ToDS data
	f.Add(ppiWrap(LinkIEEE80211, nil, wifiFrame(0x0388, tcp[14:]))) // WDS QoS data
	f.Add(ppiWrap(LinkPPI, nil, ppiWrap(LinkEthernet, nil, tcp)))   // PPI in PPI: refused
	f.Add(ppiWrap(LinkRaw, nil, tcp[14:]))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Packet
		if !Decode(LinkPPI, data, uint32(len(data)), DecodeOptions{Tunnels: true, PPI: true}, &p) {
			return
		}
		if len(p.IPPacket) > len(data) {
			t.Fatalf("IP packet of %d bytes in a %d-byte frame", len(p.IPPacket), len(data))
		}
		_ = p.Payload()
		if p.IPVersion != 4 && p.IPVersion != 6 {
			t.Fatalf("ip version %d", p.IPVersion)
		}
	})
}

// FuzzDecodeEthernetIPv4 holds Decode's Ethernet/IPv4 path to the general
// decoder: wherever the fast path answers, decodeAny must give the same
// answer and the same Packet, the IP bytes at the same place.
func FuzzDecodeEthernetIPv4(f *testing.F) {
	for _, proto := range []uint8{6, 17, 1, 47, 41} {
		for _, payload := range []int{0, 1, 20, 300} {
			f.Add(frame(proto, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1234, 80, payload), true)
		}
	}
	for _, port := range []uint16{2152, 37008, 5247, 53} {
		f.Add(frame(17, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, port, 80, 40), true)
	}
	frag := frame(6, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1234, 80, 20)
	frag[14+7] = 1
	f.Add(frag, false)
	f.Fuzz(func(t *testing.T, data []byte, tunnels bool) {
		opt := DecodeOptions{Tunnels: tunnels}
		var fast, general Packet
		ok, done := decodeEthernetIPv4(data, uint32(len(data))+3, opt, &fast)
		if !done {
			return
		}
		if want := decodeAny(LinkEthernet, data, uint32(len(data))+3, opt, &general); ok != want {
			t.Fatalf("fast path says %v, decodeAny %v", ok, want)
		}
		if !ok {
			return
		}
		if len(fast.IPPacket) != len(general.IPPacket) || len(fast.IPPacket) > 0 && &fast.IPPacket[0] != &general.IPPacket[0] {
			t.Fatalf("IP packet: %d bytes against %d, or at another place", len(fast.IPPacket), len(general.IPPacket))
		}
		fast.IPPacket, general.IPPacket = nil, nil
		if diff := cmp.Diff(general, fast, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
			t.Fatalf("fast path differs from decodeAny (-decodeAny +fast):\n%s", diff)
		}
	})
}
