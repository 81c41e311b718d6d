package dpi

// SOME/IP (automotive service middleware): a 16-byte header (message id,
// length of the rest, request id, protocol version 1, interface version,
// message type, return code below 0x40) whose length matches the packet;
// the magic-cookie messages must carry their fixed fields.
type someipDissector struct{}

func (someipDissector) Name() string { return "SOMEIP" }

var protoSOMEIP = protoByName("SOMEIP")

const (
	someipMagicCookie    = 0xffff0000
	someipMagicCookieAck = 0xffff8000
)

func (someipDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 16 || uint64(be32(b[4:]))+8 != uint64(len(b)) || b[12] != 1 {
		return NotMine
	}
	msgType := b[14] &^ 0x20 // without the TP (segmentation) flag
	switch msgType {
	case 0x00, 0x01, 0x02, 0x40, 0x41, 0x42, 0x80, 0x81, 0xc0, 0xc1:
	default:
		return NotMine
	}
	if b[15] >= 0x40 {
		return NotMine
	}
	if id := be32(b); id == someipMagicCookie || id == someipMagicCookieAck {
		if be32(b[4:]) != 8 || be32(b[8:]) != 0xdeadbeef || b[13] != 1 || msgType != 0x01 || b[15] != 0 {
			return NotMine
		}
	}
	st.SetProtocol(protoSOMEIP, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: someipDissector{}, Transport: TCPUDP, Proto: protoSOMEIP, Order: orderOf("someip")})
}
