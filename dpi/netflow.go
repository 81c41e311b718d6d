package dpi

// NetFlow v1/v5/v7/v9 and IPFIX export packets over UDP: a version, a
// record count (or IPFIX's total length) that must agree with the packet
// size, and an export time that is a plausible Unix time.
type netflowDissector struct{}

func (netflowDissector) Name() string { return "NetFlow" }

var protoNetFlow = protoByName("NetFlow")

// netflowEpoch2000 is 2000-01-01 in Unix seconds: older "export times" are
// uptimes, not NetFlow.
const netflowEpoch2000 = 946684800

func (netflowDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 24 {
		return NotMine
	}
	version, n := be16(b), int(be16(b[2:]))
	timeOffset := 8
	switch version {
	case 1, 5, 7, 9:
		if n == 0 || n > 30 {
			return NotMine
		}
		expected := 0 // v9 records depend on templates
		switch version {
		case 1:
			expected = 16 + 48*n
		case 5:
			expected = 24 + 48*n
		case 7:
			expected = 24 + 52*n
		}
		if expected > 0 && expected != len(b) {
			return NotMine
		}
	case 10: // IPFIX: the header holds the message length
		if n != len(b) {
			return NotMine
		}
		timeOffset = 4
	default:
		return NotMine
	}
	// nDPI bounds the export time by its own clock; the capture time plus a
	// day keeps the verdict reproducible.
	when := uint64(be32(b[timeOffset:]))
	if version == 1 && when == 0 || when >= netflowEpoch2000 && when <= p.TimeMs/1000+86400 {
		st.SetProtocol(protoNetFlow, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NeedMore
}

func init() {
	register(Spec{Dissector: netflowDissector{}, Transport: UDP, Proto: protoNetFlow, Order: orderOf("netflow")})
}
