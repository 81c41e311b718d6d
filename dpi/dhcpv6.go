package dpi

// DHCPv6 (RFC 8415): UDP over IPv6 between ports 546 and 547, the first
// byte a message type from 1 (Solicit) to 13 (Relay-reply).
type dhcpv6Dissector struct{}

func (dhcpv6Dissector) Name() string { return "DHCPV6" }

var protoDHCPv6 = protoByName("DHCPV6")

func isDHCPv6Port(port uint16) bool { return port == 546 || port == 547 }

func (dhcpv6Dissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.IPVersion != 6 {
		// nDPI runs this dissector on IPv6 packets only.
		return NeedMore
	}
	if len(b) < 4 || !isDHCPv6Port(p.SrcPort) || !isDHCPv6Port(p.DstPort) || b[0] < 1 || b[0] > 13 {
		return NotMine
	}
	st.SetProtocol(protoDHCPv6, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: dhcpv6Dissector{}, Transport: UDP, Proto: protoDHCPv6, Order: orderOf("dhcpv6")})
}
