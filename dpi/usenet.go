package dpi

import "bytes"

// Usenet (NNTP): the server's 200/201 greeting answered from the other
// side by AUTHINFO USER, MODE READER or HELP.
type usenetDissector struct{}

func (usenetDissector) Name() string { return "Usenet" }

var protoUsenet = protoByName("Usenet")

type usenetFlow struct{ stage uint8 }

var usenetID DissectorID

func (usenetDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	dir := ndpiDirection(p)
	s, _ := st.Data(usenetID).(*usenetFlow)
	if s == nil && len(b) > 10 && (bytes.HasPrefix(b, []byte("200 ")) || bytes.HasPrefix(b, []byte("201 "))) {
		st.SetData(usenetID, &usenetFlow{stage: 1 + dir})
		return NeedMore
	}
	if s != nil && s.stage == 2-dir &&
		(len(b) > 20 && bytes.HasPrefix(b, []byte("AUTHINFO USER ")) || string(b) == "MODE READER\r\n" || string(b) == "HELP\r\n") {
		st.SetProtocol(protoUsenet, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	usenetID = register(Spec{Dissector: usenetDissector{}, Transport: TCP, Proto: protoUsenet, Order: orderOf("usenet")})
}
