package dpi

// DNP3 over TCP: link-layer frames start with 05 64 (at least the
// 10-byte header).
type dnp3Dissector struct{}

func (dnp3Dissector) Name() string { return "DNP3" }

var protoDNP3 = protoByName("DNP3")

func (dnp3Dissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) >= 10 && b[0] == 0x05 && b[1] == 0x64 {
		st.SetProtocol(protoDNP3, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: dnp3Dissector{}, Transport: TCP, Proto: protoDNP3, Order: orderOf("dnp3")})
}
