package dpi

// Telegram: MTProto's abridged transport over TCP 443/80/25 opens with
// 0xEF, then a length byte (in 4-byte words) that fits the packet, or
// 0x7F; its UDP calls on ports 500-600 carry a run of exactly twelve 0xFF
// bytes.
type telegramDissector struct{}

func (telegramDissector) Name() string { return "Telegram" }

var protoTelegram = protoByName("Telegram")

func isTelegramUDPPort(port uint16) bool { return port >= 500 && port <= 600 }

func (telegramDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.Protocol == 6 {
		if len(b) > 56 && b[0] == 0xef && (p.DstPort == 443 || p.DstPort == 80 || p.DstPort == 25) {
			if b[1] == 0x7f || int(b[1])*4 <= len(b)-1 {
				st.SetProtocol(protoTelegram, ProtoUnknown, ConfidenceDPI)
				return Done
			}
			return NeedMore
		}
		return NotMine
	}
	if len(b) >= 40 && (isTelegramUDPPort(p.SrcPort) || isTelegramUDPPort(p.DstPort)) {
		i := 0
		for i < len(b) && b[i] != 0xff {
			i++
		}
		if i == len(b) {
			return NeedMore
		}
		run := 1
		for i++; i < len(b) && b[i] == 0xff; i++ {
			run++
		}
		if run == 12 {
			st.SetProtocol(protoTelegram, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: telegramDissector{}, Transport: TCPUDP, Proto: protoTelegram, Order: orderOf("telegram")})
}
