package dpi

import "bytes"

// VNC (RFB): both sides send the 12-byte version string "RFB 003.xxx\n"
// or "RFB 004.xxx\n"; the second one from the other side decides.
type vncDissector struct{}

func (vncDissector) Name() string { return "VNC" }

var protoVNC = protoByName("VNC")

type vncFlow struct{ stage uint8 }

var vncID DissectorID

func isRFBVersion(b []byte) bool {
	return len(b) == 12 && b[11] == '\n' &&
		(bytes.HasPrefix(b, []byte("RFB 003.")) || bytes.HasPrefix(b, []byte("RFB 004.")))
}

func (vncDissector) Dissect(p *Packet, st *State) Verdict {
	dir := ndpiDirection(p)
	s, _ := st.Data(vncID).(*vncFlow)
	switch {
	case s == nil:
		if isRFBVersion(p.Payload) {
			st.SetData(vncID, &vncFlow{stage: 1 + dir})
			return NeedMore
		}
	case s.stage == 2-dir:
		if isRFBVersion(p.Payload) {
			st.SetProtocol(protoVNC, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	}
	return NotMine
}

func init() {
	vncID = register(Spec{Dissector: vncDissector{}, Transport: TCP, Proto: protoVNC, Order: orderOf("vnc")})
}
