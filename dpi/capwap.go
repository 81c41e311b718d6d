package dpi

// CAPWAP (RFC 5415): control on UDP 5246 (discovery to broadcast or
// multicast, or a control header whose message length fits the packet),
// data on UDP 5247 (802.11 frames from the AC, or plausible headers to it).
type capwapDissector struct{}

func (capwapDissector) Name() string { return "CAPWAP" }

var protoCAPWAP = protoByName("CAPWAP")

const (
	capwapControlPort = 5246
	capwapDataPort    = 5247
)

// isCAPWAPDiscoveryAddress: 255.255.255.255, 224.0.1.140 or FF0X::18C.
func isCAPWAPDiscoveryAddress(p *Packet) bool {
	if p.DstIP.Is4() {
		a := p.DstIP.As4()
		return a == [4]byte{255, 255, 255, 255} || a == [4]byte{224, 0, 1, 140}
	}
	a := p.DstIP.As16()
	return a[0] == 0xff && a[1]&0xf0 == 0 && [13]byte(a[2:15]) == [13]byte{} && a[14] == 0x01 && a[15] == 0x8c
}

func (capwapDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if capwapMatch(p, b) {
		st.SetProtocol(protoCAPWAP, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func capwapMatch(p *Packet, b []byte) bool {
	if p.DstPort == capwapControlPort && isCAPWAPDiscoveryAddress(p) && len(b) >= 16 && b[0] == 0 && b[8] == 6 {
		return true
	}
	if hasPort(p, capwapControlPort) && len(b) > 0 && (b[0] == 0 || b[0] == 1) {
		offset, extra := 13, 13
		if b[0] == 1 {
			offset, extra = 15, 17
		}
		if len(b) >= offset+2 && int(be16(b[offset:]))+extra == len(b) {
			return true
		}
	}
	if (p.DstPort == capwapDataPort && !isCAPWAPDiscoveryAddress(p) || p.SrcPort == capwapDataPort) &&
		len(b) >= 16 && b[0] == 0 {
		if p.SrcPort == capwapDataPort && (b[9]&0x0c)>>2 == 2 { // IEEE 802.11 data
			return true
		}
		if p.DstPort == capwapDataPort &&
			(b[8] == 1 || b[8] == 6 || b[8] == 4 || int(be16(b[13:]))+15 == len(b)) {
			return true
		}
	}
	return false
}

func init() {
	register(Spec{Dissector: capwapDissector{}, Transport: UDP, Proto: protoCAPWAP, Order: orderOf("capwap")})
}
