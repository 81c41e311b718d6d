package dpi

// ipLayerDissector names the flows of transports other than TCP and UDP
// after their IP protocol number (ICMP, IGMP, GRE, ESP/AH, …). nDPI treats
// this as a DPI match, not a guess: confidence 6 from the first packet.
type ipLayerDissector struct{}

func (ipLayerDissector) Name() string { return "IPLayer" }

func (ipLayerDissector) Dissect(p *Packet, st *State) Verdict {
	name, ok := ipLayerProtocols[p.Protocol]
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

// ipLayerProtocols: the IP protocols nDPI recognises by number alone.
var ipLayerProtocols = map[uint8]string{
	1:   "ICMP",
	2:   "IGMP",
	4:   "IP_in_IP",
	8:   "EGP",
	47:  "GRE",
	50:  "IPSec",
	51:  "IPSec",
	58:  "ICMPV6",
	89:  "OSPF",
	103: "IP_PIM",
	112: "VRRP",
	113: "PGM",
	132: "SCTP",
}

func init() {
	register(Spec{Dissector: ipLayerDissector{}, Transport: Other, NoPayload: true, Order: orderOf("non_tcp_udp")})
}
