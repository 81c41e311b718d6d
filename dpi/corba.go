package dpi

import "bytes"

// CORBA's GIOP over TCP: messages start with "GIOP" (24 bytes at least).
type corbaDissector struct{}

func (corbaDissector) Name() string { return "Corba" }

var protoCorba = protoByName("Corba")

func (corbaDissector) Dissect(p *Packet, st *State) Verdict {
	if len(p.Payload) >= 24 && bytes.HasPrefix(p.Payload, []byte("GIOP")) {
		st.SetProtocol(protoCorba, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	// nDPI never rules CORBA out.
	return NeedMore
}

func init() {
	register(Spec{Dissector: corbaDissector{}, Transport: TCP, Proto: protoCorba, Order: orderOf("corba")})
}
