package dpi

// NAT-PMP (RFC 6886) on UDP 5351: version 0, then an opcode with its exact
// length (address request 2 bytes, mapping requests 12, responses 12/16
// with a result code up to 5).
type natpmpDissector struct{}

func (natpmpDissector) Name() string { return "NAT-PMP" }

var protoNATPMP = protoByName("NAT-PMP")

const natpmpPort = 5351

func isNATPMP(b []byte) (op byte, ok bool) {
	if len(b) < 2 || b[0] != 0 {
		return 0, false
	}
	op = b[1]
	switch op {
	case 0x00:
		return op, len(b) == 2
	case 0x01, 0x02:
		return op, len(b) == 12 && be16(b[2:]) == 0
	case 0x80:
		return op, len(b) == 12 && be16(b[2:]) <= 5
	case 0x81, 0x82:
		return op, len(b) == 16 && be16(b[2:]) <= 5
	}
	return op, false
}

func (natpmpDissector) Dissect(p *Packet, st *State) Verdict {
	op, ok := isNATPMP(p.Payload)
	if !ok {
		return NotMine
	}
	if payloadCounter(st) > 2 && op != 0x00 || hasPort(p, natpmpPort) {
		// nDPI then checks a few more packets only to flag malformed ones.
		st.SetProtocol(protoNATPMP, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NeedMore
}

func init() {
	register(Spec{Dissector: natpmpDissector{}, Transport: UDP, Proto: protoNATPMP, Order: orderOf("natpmp")})
}
