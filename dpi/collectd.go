package dpi

// collectd's binary network protocol over UDP: a chain of type-length
// parts with known part types; three parts (of the first five) make the
// flow collectd, as does a single encrypted part filling the packet with a
// plausible user name length. The host part's value becomes the server
// name.
type collectdDissector struct{}

func (collectdDissector) Name() string { return "collectd" }

var protoCollectd = protoByName("collectd")

const (
	collectdHost      = 0x0000
	collectdEncrypted = 0x0210
)

func isCollectdPartType(t uint16) bool {
	switch t {
	case 0x0000, 0x0001, 0x0008, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x0009,
		0x0100, 0x0101, 0x0200, collectdEncrypted:
		return true
	}
	return false
}

func (collectdDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	parts, off := 0, 0
	hostLen := 0
	for ; parts < 5; parts++ {
		if off+4 > len(b) {
			break
		}
		n := int(be16(b[off+2:]))
		if off+n > len(b) || uint16(off+n) <= uint16(off) {
			break // out of the packet, zero, or wrapping in nDPI's 16 bits
		}
		typ := be16(b[off:])
		if !isCollectdPartType(typ) {
			break
		}
		switch typ {
		case collectdHost:
			hostLen = n
		case collectdEncrypted:
			// An encrypted packet is one part: user name length, name, IV, data.
			if n != len(b) || n < 6 || int(be16(b[4:])) > len(b)-6-16 {
				return NotMine
			}
			st.SetProtocol(protoCollectd, ProtoUnknown, ConfidenceDPI)
			return Done
		}
		off += n
	}
	if parts < 3 {
		return NotMine
	}
	if hostLen > 0 {
		// nDPI reads the host value from offset 4 of the packet, whatever
		// the part's position, with the part's whole length.
		st.setCServerName(b[4:min(4+hostLen, len(b))])
	}
	st.SetProtocol(protoCollectd, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: collectdDissector{}, Transport: UDP, Proto: protoCollectd, Order: orderOf("collectd")})
}
