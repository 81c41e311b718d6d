package dpi

// Xbox Live over UDP: its system link messages (zero first word, 0x58 at
// offset 5, known type pairs) or, on port 3074, a second packet of one of
// the console's known sizes and shapes.
type xboxDissector struct{}

func (xboxDissector) Name() string { return "Xbox" }

var protoXbox = protoByName("Xbox")

type xboxFlow struct{ stage uint8 }

var xboxID DissectorID

func (xboxDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	n := len(b)
	if n > 12 && be32(b) == 0 && b[5] == 0x58 && b[7] == 0 && b[8] == 0 && b[9] == 0 {
		switch [2]byte{b[4], b[6]} {
		case [2]byte{0x0c, 0x76}, [2]byte{0x02, 0x18}, [2]byte{0x0b, 0x80}, [2]byte{0x03, 0x40}, [2]byte{0x06, 0x4e}:
			return xboxFound(st)
		}
	}
	if hasPort(p, 3074) && (n == 24 && b[0] == 0 || n == 42 && b[0] == 0x4f && b[2] == 0x0a ||
		n == 80 && be16(b) == 0x50bc && b[2] == 0x45 || n == 40 && be32(b) == 0xcf5f3202 ||
		n == 38 && be32(b) == 0xc1457f03 || n == 28 && be32(b) == 0x015f2c00) {
		s, _ := st.Data(xboxID).(*xboxFlow)
		if s == nil {
			s = &xboxFlow{}
			st.SetData(xboxID, s)
		}
		if s.stage == 1 {
			return xboxFound(st)
		}
		s.stage++
	}
	// nDPI leaves other traffic to later packets (and to HTTP for TCP).
	return NeedMore
}

func xboxFound(st *State) Verdict {
	st.SetProtocol(protoXbox, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	xboxID = register(Spec{Dissector: xboxDissector{}, Transport: UDP, Proto: protoXbox, Order: orderOf("xbox")})
}
