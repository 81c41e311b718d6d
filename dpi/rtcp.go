package dpi

// RTCP (RFC 3550): over UDP, a chain of sections whose 16-bit length (in
// words, minus one) fills the packet, starting with a sender or receiver
// report; over TCP 554, RTSP-interleaved reports.
type rtcpDissector struct{}

func (rtcpDissector) Name() string { return "RTCP" }

var protoRTCP = protoByName("RTCP")

func (rtcpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.Protocol == 6 {
		if len(b) > 13 && hasPort(p, 554) && be32(b) == 0x00000101 && be32(b[4:]) == 0x080a0001 {
			st.SetProtocol(protoRTCP, ProtoUnknown, ConfidenceDPI)
			return Done
		}
		return NeedMore
	}
	for off := 0; off+3 < len(b); {
		n := int(be16(b[off+2:]))
		section := (n + 1) * 4 & 0xffff // nDPI computes it in 16 bits
		if n == 0 || section == 0 || off+section > len(b) {
			return NotMine
		}
		off = (off + section) & 0xffff
	}
	report := len(b) >= 3 && (b[1] == 0xc8 || b[1] == 0xc9) && b[2] == 0 // sender or receiver report
	if report && (b[0] == 0x80 && len(b) >= 28 && len(b) <= 1200 || b[0] == 0x81) {
		st.SetProtocol(protoRTCP, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	if payloadCounter(st) > 3 {
		return NotMine
	}
	return NeedMore
}

func init() {
	register(Spec{Dissector: rtcpDissector{}, Transport: TCPUDP, Proto: protoRTCP, Order: orderOf("rtcp")})
}
