package dpi

import "bytes"

// FIX (Financial Information eXchange) over TCP: messages start with the
// BeginString field "8=FIX" (or the binary-framed "8=O\x019=").
type fixDissector struct{}

func (fixDissector) Name() string { return "FIX" }

var protoFIX = protoByName("FIX")

func (fixDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) > 5 && (bytes.HasPrefix(b, []byte("8=FIX")) || bytes.HasPrefix(b, []byte("8=O\x019="))) {
		st.SetProtocol(protoFIX, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: fixDissector{}, Transport: TCP, Proto: protoFIX, Order: orderOf("fix")})
}
