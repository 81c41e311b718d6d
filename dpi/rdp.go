package dpi

// RDP: over TCP, the X.224 connection request/confirm inside a TPKT header
// (version 1..3, length of the packet, X.224 length, code 0xE0 with zero
// references and class); over UDP port 3389, two packets each way that
// repeat their first three bytes.
type rdpDissector struct{}

func (rdpDissector) Name() string { return "RDP" }

var protoRDP = protoByName("RDP")

// rdpFlow keeps the first three bytes seen from each side and whether a
// later packet repeated them (nDPI's rdp_to_srv/rdp_from_srv stages).
type rdpFlow struct {
	toServer, fromServer [3]byte
	toStage, fromStage   uint8
}

var rdpID DissectorID

func (rdpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.Protocol == 6 {
		if len(b) > 10 && b[0] > 0 && b[0] < 4 && int(be16(b[2:])) == len(b) && int(b[4]) == len(b)-5 &&
			b[5] == 0xe0 && be16(b[6:]) == 0 && be16(b[8:]) == 0 && b[10] == 0 {
			st.SetProtocol(protoRDP, ProtoUnknown, ConfidenceDPI)
			return Done
		}
		return NotMine
	}
	if len(b) < 10 || !hasPort(p, 3389) {
		return NotMine
	}
	s, _ := st.Data(rdpID).(*rdpFlow)
	if s == nil {
		s = &rdpFlow{}
		st.SetData(rdpID, s)
	}
	head := [3]byte(b[:3])
	mine, mineStage, other := &s.toServer, &s.toStage, s.fromStage
	if p.SrcPort == 3389 {
		mine, mineStage, other = &s.fromServer, &s.fromStage, s.toStage
	}
	switch {
	case *mineStage == 0:
		*mine, *mineStage = head, 1
	case *mine != head:
		return NotMine
	default:
		*mineStage = 2
		if other == 2 {
			st.SetProtocol(protoRDP, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	}
	return NeedMore
}

func init() {
	rdpID = register(Spec{Dissector: rdpDissector{}, Transport: TCPUDP, Proto: protoRDP, Order: orderOf("rdp")})
}
