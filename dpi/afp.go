package dpi

// AFP over DSI (Apple Filing Protocol, TCP): a DSI header (flags 0/1,
// command 1..8, zero reserved field, data length within the packet), or
// the DSI GetStatus/OpenSession shape nDPI also knows. Large packets of a
// transfer under way are not held against it.
type afpDissector struct{}

func (afpDissector) Name() string { return "AFP" }

var protoAFP = protoByName("AFP")

func (afpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 16 {
		return NotMine
	}
	if len(b) > 128 {
		return NeedMore
	}
	if len(b) >= 22 && be16(b) == 0x0004 && be16(b[2:]) == 0x0001 && be32(b[4:]) == 0 &&
		int(be32(b[8:])) == len(b)-16 && be32(b[12:]) == 0 && be16(b[16:]) == 0x0104 ||
		b[0] <= 1 && b[1] >= 1 && b[1] <= 8 && be32(b[12:]) == 0 && uint64(len(b)) >= 16+uint64(be32(b[8:])) {
		st.SetProtocol(protoAFP, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: afpDissector{}, Transport: TCP, Proto: protoAFP, Order: orderOf("afp")})
}
