package dpi

// Cisco VPN client (IPsec over UDP 10000): packets between ports 10000
// starting fe 57 7e 2b. Other flows are given up after five packets.
type ciscoVPNDissector struct{}

func (ciscoVPNDissector) Name() string { return "CiscoVPN" }

var protoCiscoVPN = protoByName("CiscoVPN")

func (ciscoVPNDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.Protocol == 17 && p.SrcPort == 10000 && p.DstPort == 10000 && len(b) >= 4 && be32(b) == 0xfe577e2b {
		st.SetProtocol(protoCiscoVPN, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	if st.Processed() > 5 {
		return NotMine
	}
	return NeedMore
}

func init() {
	register(Spec{Dissector: ciscoVPNDissector{}, Transport: TCPUDP, Proto: protoCiscoVPN, Order: orderOf("ciscovpn")})
}
