package dpi

// Nest Log Sink: Google Nest devices upload logs over TCP port 11095 in
// records whose header has a small type (≤ 2), a 0x00/0x10 flag byte and
// the byte 0x13; three such records make the flow.
type nestLogSinkDissector struct{}

func (nestLogSinkDissector) Name() string { return "NestLogSink" }

var protoNestLogSink = protoByName("NestLogSink")

const nestLogSinkPort = 11095

// nestFlow counts the matching records (nDPI's nest_log_sink_matches).
type nestFlow struct{ matches uint8 }

var nestID DissectorID

func (nestLogSinkDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 8 || !hasPort(p, nestLogSinkPort) {
		return NotMine
	}
	if b[1] <= 2 && (b[2] == 0x00 || b[2] == 0x10) && b[3] == 0x13 {
		s, _ := st.Data(nestID).(*nestFlow)
		if s == nil {
			s = &nestFlow{}
			st.SetData(nestID, s)
		}
		if s.matches++; s.matches == 3 {
			st.SetProtocol(protoNestLogSink, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	}
	return NeedMore
}

func init() {
	nestID = register(Spec{Dissector: nestLogSinkDissector{}, Transport: TCP, Proto: protoNestLogSink, Order: orderOf("nest_log_sink")})
}
