package dpi

// ipLayerDissector names the flows of transports other than TCP and UDP
// after their IP protocol number (ICMP, IGMP, GRE, ESP/AH, …). nDPI treats
// this as a DPI match, not a guess: confidence 6 from the first packet.
type ipLayerDissector struct{}

func (ipLayerDissector) Name() string { return "IPLayer" }

func (ipLayerDissector) Dissect(p *Packet, st *State) Verdict {
	name, ok := ipProtoNames[p.Protocol]
	if !ok {
		return NotMine
	}
	id, ok := LookupProtocol(name)
	if !ok {
		return NotMine
	}
	st.SetProtocol(id, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: ipLayerDissector{}, Transport: Other, NoPayload: true, Order: orderOf("non_tcp_udp")})
}
