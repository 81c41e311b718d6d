package dpi

// CryNetwork (Crytek's game networking, UDP): the first byte is the length
// of the packet less 10, followed by fixed marker bytes at offsets 3-4, 16,
// 20 and 24-25.
type crynetDissector struct{}

func (crynetDissector) Name() string { return "CryNetwork" }

var protoCryNet = protoByName("CryNetwork")

func (crynetDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 26 || len(b) != int(b[0])+10 {
		return NotMine
	}
	if be16(b[3:]) != 0x08ed || b[16] != 0x01 || b[20] != 0x07 || be16(b[24:]) != 0x0307 {
		return NotMine
	}
	st.SetProtocol(protoCryNet, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: crynetDissector{}, Transport: UDP, Proto: protoCryNet, Order: orderOf("crynet")})
}
