package dpi

import "bytes"

// Ubiquiti AirControl 2 / device discovery on UDP port 10001: replies of
// at least 135 bytes naming "UBNT" at offset 36 or "ubnt" at offset 49.
type ubntac2Dissector struct{}

func (ubntac2Dissector) Name() string { return "UBNTAC2" }

var protoUBNTAC2 = protoByName("UBNTAC2")

func (ubntac2Dissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 135 || !hasPort(p, 10001) {
		return NotMine
	}
	if bytes.HasPrefix(b[36:], []byte("UBNT")) || bytes.HasPrefix(b[49:], []byte("ubnt")) {
		// nDPI also reads the firmware version; NFStream does not report it.
		st.SetProtocol(protoUBNTAC2, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	// Neither accepted nor rejected: nDPI keeps looking at later packets.
	return NeedMore
}

func init() {
	register(Spec{Dissector: ubntac2Dissector{}, Transport: UDP, Proto: protoUBNTAC2, Order: orderOf("ubntac2")})
}
