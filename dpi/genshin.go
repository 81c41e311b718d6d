package dpi

// Genshin Impact: over TCP a 0x01-framed PDU with its 32-bit length, kind
// 0x01/0x07 and the marker 4d a6 at offset 16; over UDP the KCP-style
// handshake opening the flow (00 00 00 ff, zeros, 49 96 02 d2, ff ff ff ff).
type genshinDissector struct{}

func (genshinDissector) Name() string { return "GenshinImpact" }

var protoGenshin = protoByName("GenshinImpact")

func (genshinDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	found := false
	if p.Protocol == 6 {
		found = len(b) >= 18 && b[0] == 0x01 && int(be32(b[1:])) == len(b) && (b[5] == 0x01 || b[5] == 0x07) &&
			be16(b[16:]) == 0x4da6
	} else {
		found = payloadCounter(st) == 1 && len(b) >= 20 && be32(b) == 0xff && be32(b[4:]) == 0 &&
			be32(b[12:]) == 0x499602d2 && be32(b[16:]) == 0xffffffff
	}
	if !found {
		return NotMine
	}
	st.SetProtocol(protoGenshin, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: genshinDissector{}, Transport: TCPUDP, Proto: protoGenshin, Order: orderOf("genshin_impact")})
}
