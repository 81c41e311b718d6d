package dpi

// EAQ (Brazil's broadband quality measurement): 16-byte UDP probes to or
// from port 6000 whose first four bytes count up one by one as decimal
// digits. Four probes in sequence make the flow EAQ.
type eaqDissector struct{}

func (eaqDissector) Name() string { return "EAQ" }

var protoEAQ = protoByName("EAQ")

type eaqFlow struct {
	probes   uint8
	sequence uint32
}

var eaqID DissectorID

func (eaqDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) != 16 || !hasPort(p, 6000) {
		return NotMine
	}
	seq := uint32(b[0])*1000 + uint32(b[1])*100 + uint32(b[2])*10 + uint32(b[3])
	s, _ := st.Data(eaqID).(*eaqFlow)
	if s == nil {
		s = &eaqFlow{sequence: seq}
		st.SetData(eaqID, s)
	} else {
		if seq != s.sequence && seq != s.sequence+1 {
			return NotMine
		}
		s.sequence = seq
	}
	if s.probes++; s.probes == 4 {
		st.SetProtocol(protoEAQ, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NeedMore
}

func init() {
	eaqID = register(Spec{Dissector: eaqDissector{}, Transport: UDP, Proto: protoEAQ, Order: orderOf("eaq")})
}
