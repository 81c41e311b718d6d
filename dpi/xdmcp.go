package dpi

// XDMCP (X display manager): the X11 connection setup ("l", byte order,
// protocol 11.0) to TCP 6000-6005, or an XDMCP query (version 1, opcode 2,
// a length covering the packet) to UDP 177.
type xdmcpDissector struct{}

func (xdmcpDissector) Name() string { return "XDMCP" }

var protoXDMCP = protoByName("XDMCP")

func (xdmcpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	found := false
	if p.Protocol == 6 {
		found = p.DstPort >= 6000 && p.DstPort <= 6005 && len(b) == 48 && b[0] == 0x6c && b[1] == 0 &&
			be16(b[6:]) == 0x1200 && be16(b[8:]) == 0x1000
	} else {
		found = p.DstPort == 177 && len(b) >= 6 && len(b) == 6+int(be16(b[4:])) && be16(b) == 1 && be16(b[2:]) == 2
	}
	if !found {
		return NotMine
	}
	st.SetProtocol(protoXDMCP, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: xdmcpDissector{}, Transport: TCPUDP, Proto: protoXDMCP, Order: orderOf("xdmcp")})
}
