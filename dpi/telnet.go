package dpi

// Telnet: option negotiation. A packet that opens with IAC (0xff) and a
// WILL/WONT/DO/DONT/SB command on a known option, and contains only valid
// IAC sequences, counts; the third such packet makes the flow Telnet.
// (nDPI then reads on for the login, which NFStream does not report.)
type telnetDissector struct{}

func (telnetDissector) Name() string { return "Telnet" }

var protoTelnet = protoByName("Telnet")

type telnetFlow struct{ stage uint8 }

var telnetID DissectorID

// isTelnetNegotiation checks nDPI's IAC rules on b.
func isTelnetNegotiation(b []byte) bool {
	if len(b) < 3 || b[0] != 0xff || b[1] <= 0xf9 || b[1] == 0xff || b[2] >= 0x28 {
		return false
	}
	for a := 3; a < len(b)-2; a++ {
		if b[a] != 0xff {
			continue
		}
		c := b[a+1]
		if c >= 0xf0 && c <= 0xfa || c >= 0xfb && c != 0xff && b[a+2] <= 0x28 {
			continue
		}
		return false
	}
	return true
}

func (telnetDissector) Dissect(p *Packet, st *State) Verdict {
	s, _ := st.Data(telnetID).(*telnetFlow)
	if isTelnetNegotiation(p.Payload) {
		if s == nil {
			s = &telnetFlow{}
			st.SetData(telnetID, s)
		}
		if s.stage == 2 {
			st.SetProtocol(protoTelnet, ProtoUnknown, ConfidenceDPI)
			return Done
		}
		s.stage++
		return NeedMore
	}
	counter := payloadCounter(st)
	if counter < 12 && s != nil && s.stage > 0 || counter < 6 {
		return NeedMore
	}
	return NotMine
}

func init() {
	telnetID = register(Spec{Dissector: telnetDissector{}, Transport: TCP, Proto: protoTelnet, Order: orderOf("telnet")})
}
