package dpi

// Skype/Teams media over UDP. The calls carry a small header whose third
// byte is 0x02 (the "payload" flag); the first byte is an RTP-like version
// field (RTP v2, or the 0x0_/0x7_ forms Skype and Zoom use). nDPI gives the
// flow to Skype_Teams.Skype_TeamsCall on the first such packet (Zoom when
// one port is 8801), and to plain Skype_Teams when two packets of the flow
// repeat the same 4 bytes at offset 7 (a checksum of the session).
type skypeDissector struct{}

func (skypeDissector) Name() string { return "Skype_Teams" }

var (
	protoSkypeTeams     = protoByName("Skype_Teams")
	protoSkypeTeamsCall = protoByName("Skype_TeamsCall")
	protoZoom           = protoByName("Zoom")
)

// skypeCRC remembers the 4 bytes at offset 7 of the flow's first packet.
type skypeCRC struct{ b [4]byte }

var skypeID DissectorID

func (skypeDissector) Dissect(p *Packet, st *State) Verdict {
	if isBroadcastOrMulticast4(p) {
		return NotMine
	}
	if st.Reported().ServerName != "" {
		// Another dissector named the flow's host: not a Skype media flow.
		return NeedMore
	}
	b := p.Payload
	counter := payloadCounter(st)
	if counter >= 5 || hasPort(p, 1119) || hasPort(p, 80) {
		// Battle.net (1119) and anything on port 80 look alike; nDPI skips them.
		return NotMine
	}
	looksLikeMedia := len(b) == 3 && b[2]&0x0f == 0x0d ||
		len(b) >= 16 && b[2] == 0x02 && b[0] != 0x30 && b[0] != 0x00 &&
			(b[0]>>6 == 2 || b[0]>>4 == 0 || b[0]>>4 == 7)
	if looksLikeMedia {
		switch {
		case hasPort(p, 8801):
			st.SetProtocol(protoZoom, ProtoUnknown, ConfidenceDPI)
			return Done
		case len(b) >= 16 && b[0] != 0x01: // 0x01: HSRP and RADIUS
			st.SetProtocol(protoSkypeTeamsCall, protoSkypeTeams, ConfidenceDPI)
			return Done
		}
	}
	if len(b) >= 11 && b[2] == 0x02 {
		if counter == 1 {
			st.SetData(skypeID, &skypeCRC{[4]byte(b[7:11])})
			return NeedMore
		}
		if c, ok := st.Data(skypeID).(*skypeCRC); ok && c.b == [4]byte(b[7:11]) {
			st.SetProtocol(protoSkypeTeams, ProtoUnknown, ConfidenceDPI)
			return Done
		}
		return NeedMore
	}
	return NotMine
}

func init() {
	skypeID = register(Spec{Dissector: skypeDissector{}, Transport: UDP, Proto: protoSkypeTeams, Order: orderOf("skype")})
}
