package dpi

// Diameter over TCP: version 1, a single flag bit (request, proxiable,
// error or retransmitted) and a base command code. The command code is
// read as nDPI does (its first byte shifted by 8, like the second).
type diameterDissector struct{}

func (diameterDissector) Name() string { return "Diameter" }

var protoDiameter = protoByName("Diameter")

func (diameterDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) >= 20 && b[0] == 1 && (b[4] == 0x80 || b[4] == 0x40 || b[4] == 0x20 || b[4] == 0x10) {
		switch uint16(b[7]) + uint16(b[6])<<8 + uint16(b[5])<<8 {
		case 271, 274, 272, 257, 280, 282, 258, 275:
			st.SetProtocol(protoDiameter, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: diameterDissector{}, Transport: TCP, Proto: protoDiameter, Order: orderOf("diameter")})
}
