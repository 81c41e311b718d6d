package dpi

// Check Point ClusterXL (CPHA): 1a 90 between UDP ports 8116, sent from
// 0.0.0.0 (IPv4 only).
type cphaDissector struct{}

func (cphaDissector) Name() string { return "CPHA" }

var protoCPHA = protoByName("CPHA")

func (cphaDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.IPVersion != 4 {
		return NeedMore
	}
	if len(b) > 20 && b[0] == 0x1a && b[1] == 0x90 && p.SrcPort == 8116 && p.DstPort == 8116 &&
		p.SrcIP.As4() == [4]byte{} {
		st.SetProtocol(protoCPHA, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: cphaDissector{}, Transport: UDP, Proto: protoCPHA, Order: orderOf("cpha")})
}
