package dpi

// AVAST: the antivirus's own TCP messages (often on port 80, hence not
// HTTP): "NOSA", then the payload length as a big-endian 16-bit number.
// The first payload packet decides.
type avastDissector struct{}

func (avastDissector) Name() string { return "AVAST" }

var protoAvast = protoByName("AVAST")

func (avastDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) >= 6 && string(b[:4]) == "NOSA" && int(be16(b[4:])) == len(b) {
		st.SetProtocol(protoAvast, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: avastDissector{}, Transport: TCP, Proto: protoAvast, Order: orderOf("avast")})
}
