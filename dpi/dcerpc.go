package dpi

// DCE/RPC (MS-RPC): connection-oriented PDUs over TCP (version 5, a
// packet type below 16, the little-endian fragment length equal to the
// packet), and connectionless PDUs over UDP (version 4, a valid type,
// reserved flag bits clear, a known data representation, and the
// fragment length in that byte order fitting the 80-byte header).
type dcerpcDissector struct{}

func (dcerpcDissector) Name() string { return "RPC" }

var protoRPC = protoByName("RPC")

func (dcerpcDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.Protocol == 6 && len(b) >= 64 && b[0] == 5 && b[2] < 16 && int(b[9])<<8|int(b[8]) == len(b) ||
		p.Protocol == 17 && isConnectionlessRPC(b) {
		st.SetProtocol(protoRPC, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	if len(b) > 1 {
		return NotMine
	}
	return NeedMore
}

func isConnectionlessRPC(b []byte) bool {
	if len(b) < 80 || b[0] != 4 || b[1] > 10 || b[3]&0xfc != 0 || b[4]&0xee != 0 || b[5] > 3 {
		return false
	}
	frag := int(b[74])<<8 | int(b[75])
	if b[4] == 0x10 { // little-endian data representation
		frag = int(b[75])<<8 | int(b[74])
	}
	return len(b) == frag+80
}

func init() {
	register(Spec{Dissector: dcerpcDissector{}, Transport: TCPUDP, Proto: protoRPC, Order: orderOf("dcerpc")})
}
