package dpi

// BGP on TCP 179: a 16-byte all-ones marker, a length not beyond the
// packet and a message type below 5.
type bgpDissector struct{}

func (bgpDissector) Name() string { return "BGP" }

var protoBGP = protoByName("BGP")

func (bgpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) > 18 && b[18] < 5 && hasPort(p, 179) && be32(b) == 0xffffffff && be32(b[4:]) == 0xffffffff &&
		be32(b[8:]) == 0xffffffff && be32(b[12:]) == 0xffffffff && int(be16(b[16:])) <= len(b) {
		st.SetProtocol(protoBGP, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: bgpDissector{}, Transport: TCP, Proto: protoBGP, Order: orderOf("bgp")})
}
