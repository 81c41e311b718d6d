package dpi

import "bytes"

// Check_MK agent output starts with "<<<check_mk>>>" (TCP); large packets
// of a transfer already under way are not held against it.
type checkmkDissector struct{}

func (checkmkDissector) Name() string { return "CHECKMK" }

var protoCHECKMK = protoByName("CHECKMK")

func (checkmkDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) > 128 {
		return NeedMore
	}
	if len(b) >= 15 && len(b) < 100 && bytes.HasPrefix(b, []byte("<<<check_mk>>>")) {
		st.SetProtocol(protoCHECKMK, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: checkmkDissector{}, Transport: TCP, Proto: protoCHECKMK, Order: orderOf("checkmk")})
}
