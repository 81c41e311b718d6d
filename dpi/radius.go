package dpi

// RADIUS (RFC 2865) on UDP 1812, 1813 or 18013: code 1..13 and a length
// field equal to the packet (20..4096 bytes).
type radiusDissector struct{}

func (radiusDissector) Name() string { return "Radius" }

var protoRadius = protoByName("Radius")

func (radiusDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if !hasPort(p, 1812) && !hasPort(p, 1813) && !hasPort(p, 18013) {
		// nDPI neither accepts nor rejects other ports.
		return NeedMore
	}
	if len(b) < 20 || len(b) > 4096 || b[0] == 0 || b[0] > 13 || int(be16(b[2:])) != len(b) {
		return NotMine
	}
	st.SetProtocol(protoRadius, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: radiusDissector{}, Transport: UDP, Proto: protoRadius, Order: orderOf("radius")})
}
