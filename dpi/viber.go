package dpi

import "encoding/binary"

// Viber: over TCP, frames with a little-endian length equal to the packet
// and a marker (ff fc at offset 6 with 0x80 at 9, or 03 80 at offset 4
// with 0x0a at 10); over UDP, its media/control headers (type byte 0x03,
// 0x09, 0x01 0x00 0x05, 0x19, 0x1b at offset 2 followed by 0x00).
type viberDissector struct{}

func (viberDissector) Name() string { return "Viber" }

var protoViber = protoByName("Viber")

func (viberDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	found := false
	if p.Protocol == 6 {
		if len(b) >= 11 && int(binary.LittleEndian.Uint16(b)) == len(b) {
			found = be16(b[6:]) == 0xfcff && b[9] == 0x80 || be16(b[4:]) == 0x0380 && b[10] == 0x0a
		}
	} else if len(b) > 5 {
		found = b[2] == 0x03 && b[3] == 0 ||
			len(b) == 20 && b[2] == 0x09 && b[3] == 0 ||
			b[2] == 0x01 && b[3] == 0 && b[4] == 0x05 && b[5] == 0 ||
			len(b) == 34 && (b[2] == 0x19 || b[2] == 0x1b) && b[3] == 0
	}
	if !found {
		return NotMine
	}
	st.SetProtocol(protoViber, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: viberDissector{}, Transport: TCPUDP, Proto: protoViber, Order: orderOf("viber")})
}
