package dpi

import (
	"bytes"
	"encoding/binary"
)

// PPStream (PPS.tv) peer traffic over UDP port 17788: a little-endian
// length at the start (the packet's length, or 4 or 6 less) and one of the
// client's known message shapes (type bytes 0x43, 0x44, 0x55 at offset 2);
// or, on that port, the 0x80/0x84 and 0x53 control messages. (PPStream over
// TCP is HTTP and left to the HTTP dissector.)
type ppstreamDissector struct{}

func (ppstreamDissector) Name() string { return "PPStream" }

var protoPPStream = protoByName("PPStream")

const ppsPort = 17788

func (ppstreamDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.Protocol != 17 || len(b) <= 14 || !hasPort(p, ppsPort) {
		return NotMine
	}
	if ppsMessage(b) || ppsControl(b) {
		st.SetProtocol(protoPPStream, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

// allZero reports whether b holds only zero bytes.
func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func ppsMessage(b []byte) bool {
	n := int(binary.LittleEndian.Uint16(b))
	if n != len(b)-4 && n != len(b) && n != len(b)-6 {
		return false
	}
	switch {
	case b[2] == 0x43:
		return b[5] == 0xff && bytes.Equal(b[6:15], []byte{0, 1, 0, 0, 0, 0, 0, 0, 0})
	case b[2] == 0x44 && len(b) > 20:
		switch {
		case b[3] == 0xb1 && b[4] == 0x71:
			if !bytes.Equal(b[13:17], []byte{0, 0, 1, 0}) {
				return false
			}
			return b[17] >= 2 && b[17] <= 5 && allZero(b[18:21]) ||
				b[17] == 0xff && bytes.Equal(b[18:21], []byte{0xff, 0xff, 0xff})
		case b[3] == 0x73 && b[4] == 0x17:
			return allZero(b[5:9]) && allZero(b[14:21])
		case b[3] == 0x74 && b[4] == 0x71 && len(b) == 113:
			return string(b[94:102]) == "PPStream"
		}
	case b[2] == 0x55 && len(b) > 20:
		return b[13] == 0x1b && b[14] == 0xa0 && allZero(b[15:21]) ||
			b[1] == 0 && allZero(b[5:9]) && allZero(b[14:21])
	}
	return false
}

func ppsControl(b []byte) bool {
	if len(b) <= 17 {
		return false
	}
	if b[1] == 0x80 || b[1] == 0x84 {
		return b[3] == b[4]
	}
	return b[1] == 0x53 && b[3] == 0 && (b[0] == 0x08 || b[0] == 0x0c)
}

func init() {
	register(Spec{Dissector: ppstreamDissector{}, Transport: UDP, Proto: protoPPStream, Order: orderOf("ppstream")})
}
