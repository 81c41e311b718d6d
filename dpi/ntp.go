package dpi

// NTP (RFC 5905) on UDP port 123: the version field of the first byte
// must be 0..4 (NTPv4 and older, including the mode 7 private messages
// of NTPv2).
type ntpDissector struct{}

func (ntpDissector) Name() string { return "NTP" }

var protoNTP = protoByName("NTP")

func (ntpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 1 || !hasPort(p, 123) || (b[0]>>3)&7 > 4 {
		return NotMine
	}
	st.SetProtocol(protoNTP, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: ntpDissector{}, Transport: UDP, Proto: protoNTP, Order: orderOf("ntp")})
}
