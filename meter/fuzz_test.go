package meter

import (
	"encoding/binary"
	"testing"
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
