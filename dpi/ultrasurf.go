package dpi

// UltraSurf (censorship circumvention proxy, TCP): an 8-byte constant at
// the start of a packet.
type ultrasurfDissector struct{}

func (ultrasurfDissector) Name() string { return "UltraSurf" }

var protoUltraSurf = protoByName("UltraSurf")

func (ultrasurfDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 8 || be32(b) != 0xcc1c3041 || be32(b[4:]) != 0x5ba43866 {
		return NotMine
	}
	st.SetProtocol(protoUltraSurf, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: ultrasurfDissector{}, Transport: TCP, Proto: protoUltraSurf, Order: orderOf("ultrasurf")})
}
