package meter

import "net/netip"

// TCP flag bits of Packet.Flags, in NFStream's flag order.
const (
	FlagFIN uint8 = 1 << iota
	FlagSYN
	FlagRST
	FlagPSH
	FlagACK
	FlagURG
	FlagECE
	FlagCWR
)

// Packet is one decoded packet as the hooks see it (NFStream §2.9, §7.2).
// A Packet and the bytes it points to are only valid during the hook call.
type Packet struct {
	TimeMs    uint64 // clamped capture time in milliseconds
	TimeUs    uint64 // capture time in microseconds, as captured (not clamped)
	DeltaTime uint64 // ms since the previous packet of the flow; 0 for the first
	Direction uint8  // 0 src→dst, 1 dst→src (relative to the flow)

	RawSize       uint16 // wire length, truncated to 16 bits
	IPSize        uint16 // IPv4 total length; IPv6 payload length
	TransportSize uint16 // L4 length including its header
	PayloadSize   uint16 // L4 payload length

	// The packet's own addresses and ports (not swapped to the flow's view).
	SrcIP, DstIP     netip.Addr
	SrcMAC, DstMAC   [6]byte
	SrcPort, DstPort uint16
	Protocol         uint8
	IPVersion        uint8
	VLAN             uint16
	Tunnel           uint8
	Flags            uint8 // FlagFIN … FlagCWR

	// IPPacket holds the captured bytes from the (inner) IP header to the end
	// of the frame: what NFStream hands to nDPI and to plugins as ip_packet.
	IPPacket []byte
	// L4Offset is the offset of the transport header inside IPPacket, and
	// PayloadOffset the offset of the transport payload (both may exceed
	// len(IPPacket) for truncated captures).
	L4Offset, PayloadOffset int
}

// Size returns the packet size NFStream uses for the given accounting mode
// (0 raw, 1 IP, 2 transport, 3 payload).
func (p *Packet) Size(mode int) uint16 {
	switch mode {
	case 1:
		return p.IPSize
	case 2:
		return p.TransportSize
	case 3:
		return p.PayloadSize
	default:
		return p.RawSize
	}
}

// Payload returns the captured transport payload (possibly shorter than
// PayloadSize when the capture was truncated).
func (p *Packet) Payload() []byte {
	if p.PayloadOffset >= len(p.IPPacket) || p.PayloadOffset < 0 {
		return nil
	}
	end := p.PayloadOffset + int(p.PayloadSize)
	if end > len(p.IPPacket) {
		end = len(p.IPPacket)
	}
	return p.IPPacket[p.PayloadOffset:end]
}

// Has reports whether flag bit f is set.
func (p *Packet) Has(f uint8) bool { return p.Flags&f != 0 }
