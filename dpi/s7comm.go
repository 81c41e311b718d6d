package dpi

// S7comm (Siemens S7 over ISO-TSAP, TCP 102): a TPKT header 03 00.
type s7commDissector struct{}

func (s7commDissector) Name() string { return "s7comm" }

var protoS7comm = protoByName("s7comm")

func (s7commDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) >= 2 && b[0] == 0x03 && b[1] == 0x00 && hasPort(p, 102) {
		st.SetProtocol(protoS7comm, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: s7commDissector{}, Transport: TCP, Proto: protoS7comm, Order: orderOf("s7comm")})
}
