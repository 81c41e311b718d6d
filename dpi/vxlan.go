package dpi

// VXLAN (RFC 7348) to UDP 4789: flags 08 00 00 00, then a 24-bit VNI and a
// zero reserved byte. (nDPI reports it as VXLAN with itself as master,
// which names the flow plain VXLAN.)
type vxlanDissector struct{}

func (vxlanDissector) Name() string { return "VXLAN" }

var protoVXLAN = protoByName("VXLAN")

func (vxlanDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) >= 8 && p.DstPort == 4789 && be32(b) == 0x08000000 && b[7] == 0 {
		st.SetProtocol(protoVXLAN, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: vxlanDissector{}, Transport: UDP, Proto: protoVXLAN, Order: orderOf("vxlan")})
}
