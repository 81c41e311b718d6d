package dpi

// Among Us: the UDP hello 08 00 01 00 80 d9 02 03.
type amongUsDissector struct{}

func (amongUsDissector) Name() string { return "AmongUs" }

var protoAmongUs = protoByName("AmongUs")

func (amongUsDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) > 9 && be32(b) == 0x08000100 && be32(b[4:]) == 0x80d90203 {
		st.SetProtocol(protoAmongUs, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: amongUsDissector{}, Transport: UDP, Proto: protoAmongUs, Order: orderOf("among_us")})
}
