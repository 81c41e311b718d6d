package dpi

// OpenVPN: control packets carry an opcode in the top five bits. The
// client's hard reset (v1/v2) holds its session id and, after an HMAC of
// 16 or 20 bytes, packet id 1; the server's hard reset echoes the client's
// session id after its acknowledgement array. Over UDP, nDPI also accepts
// a first packet of 80 or 112 bytes with a typical opcode. TCP packets
// start with a 2-byte length.
type openvpnDissector struct{}

func (openvpnDissector) Name() string { return "OpenVPN" }

var protoOpenVPN = protoByName("OpenVPN")

const (
	ovpnHardResetClientV1 = 0x01 << 3
	ovpnHardResetClientV2 = 0x07 << 3
	ovpnHardResetServerV1 = 0x02 << 3
	ovpnHardResetServerV2 = 0x08 << 3
	ovpnMaxResets         = 5
)

type ovpnFlow struct {
	counter uint8
	session [8]byte
}

var ovpnID DissectorID

// ovpnHMACSize finds the HMAC size (20 or 16) that puts packet id 1 at
// its place, or 0.
func ovpnHMACSize(b []byte) int {
	for _, h := range []int{20, 16} {
		if off := 9 + h; off+4 <= len(b) && be32(b[off:]) == 1 {
			return h
		}
	}
	return 0
}

func (openvpnDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) >= 40 {
		if p.Protocol == 6 {
			b = b[2:]
		}
		opcode := b[0] & 0xf8
		if p.Protocol == 17 && st.Processed() == 1 &&
			(len(b) == 112 && (opcode == 168 || opcode == 192) ||
				len(b) == 80 && (opcode == 184 || opcode == 88 || opcode == 160 || opcode == 168 || opcode == 200)) {
			st.SetProtocol(protoOpenVPN, ProtoUnknown, ConfidenceDPI)
			return Done
		}
		var scratch ovpnFlow
		s, stored := loadState(st, ovpnID, &scratch)
		defer keepState(st, ovpnID, s, stored)
		failed := false
		switch {
		case s.counter < ovpnMaxResets && (opcode == ovpnHardResetClientV1 || opcode == ovpnHardResetClientV2):
			if ovpnHMACSize(b) > 0 {
				s.session = [8]byte(b[1:9])
			}
		case s.counter >= 1 && s.counter <= ovpnMaxResets && (opcode == ovpnHardResetServerV1 || opcode == ovpnHardResetServerV2):
			failed = true
			if h := ovpnHMACSize(b); h > 0 {
				off := 9 + h + 8 // the acknowledgement array's length
				if off < len(b) && b[off] > 0 {
					off += 1 + int(b[off])*4
					if off+8 <= len(b) && [8]byte(b[off:off+8]) == s.session {
						st.SetProtocol(protoOpenVPN, ProtoUnknown, ConfidenceDPI)
						return Done
					}
				}
			}
		default:
			failed = true
		}
		s.counter = sat8(s.counter)
		if failed {
			return NotMine
		}
	}
	if payloadCounter(st) > 5 {
		return NotMine
	}
	return NeedMore
}

func init() {
	ovpnID = register(Spec{Dissector: openvpnDissector{}, Transport: TCPUDP, Proto: protoOpenVPN, Order: orderOf("openvpn")})
}
