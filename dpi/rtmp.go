package dpi

// RTMP over TCP: the client's handshake C0 (version 0x03, or 0x06 for
// RTMPE) answered from the other side by S0 (0x03/0x06, or 0x08-0x0a).
type rtmpDissector struct{}

func (rtmpDissector) Name() string { return "RTMP" }

var protoRTMP = protoByName("RTMP")

type rtmpFlow struct{ stage uint8 }

var rtmpID DissectorID

func (rtmpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if payloadCounter(st) > 20 {
		return NotMine
	}
	dir := ndpiDirection(p)
	s, _ := st.Data(rtmpID).(*rtmpFlow)
	if s == nil || s.stage == 0 {
		if len(b) >= 4 && (b[0] == 0x03 || b[0] == 0x06) {
			if s == nil {
				s = &rtmpFlow{}
				st.SetData(rtmpID, s)
			}
			s.stage = dir + 1
			return NeedMore
		}
		return NotMine
	}
	if s.stage-dir == 1 { // same side again
		return NeedMore
	}
	if len(b) >= 4 && (b[0] == 0x03 || b[0] == 0x06 || b[0] == 0x08 || b[0] == 0x09 || b[0] == 0x0a) {
		st.SetProtocol(protoRTMP, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	s.stage = 0
	return NeedMore
}

func init() {
	rtmpID = register(Spec{Dissector: rtmpDissector{}, Transport: TCP, Proto: protoRTMP, Order: orderOf("rtmp")})
}
