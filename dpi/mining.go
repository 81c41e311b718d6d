package dpi

// Cryptocurrency mining: Bitcoin's P2P magic on TCP 8333, Ethereum's
// devp2p handshake and discovery (ports 30300-30305/30303), and the
// JSON-RPC of mining pools (stratum: "worker", "method", "blob" members).
type miningDissector struct{}

func (miningDissector) Name() string { return "Mining" }

var protoMining = protoByName("Mining")

func (miningDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.Protocol == 17 {
		// Ethereum node discovery, not to multicast/broadcast-like groups.
		if len(b) > 98 && len(b) < 1280 && hasPort(p, 30303) && b[97] <= 0x04 {
			if p.DstIP.Is4() && p.DstIP.As4()[0] == 0xff {
				return NotMine
			}
			if a := p.DstIP.As16(); p.DstIP.Is6() && a[0] == 0xff && a[1] == 0x02 && a[2] == 0 && a[3] == 0 {
				return NotMine
			}
			return miningFound(st)
		}
		return NotMine
	}
	if len(b) <= 10 {
		return NotMine
	}
	if hasPort(p, 8333) && (be32(b) == 0xf9beb4d9 || be32(b) == 0xfabfb5da) {
		return miningFound(st)
	}
	if len(b) > 300 && len(b) < 600 && b[2] == 0x04 {
		if p.DstPort >= 30300 && p.DstPort <= 30305 {
			return miningFound(st)
		}
		return NotMine
	}
	if cContains(b, "{") && (cContains(b, `"eth1.0"`) || cContains(b, `"worker":`) ||
		cContains(b, `"method":`) || cContains(b, `"blob":`)) {
		return miningFound(st)
	}
	return NotMine
}

func miningFound(st *State) Verdict {
	st.SetProtocol(protoMining, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: miningDissector{}, Transport: TCPUDP, Proto: protoMining, Order: orderOf("mining")})
}
