package dpi

// GTP over UDP: GTP-U on 2152 (version 1, protocol type 1, length within
// the packet), GTP-C on 2123 (v1 with a message type ≤ 129 and an exact
// length, or v2 with an exact length) and GTP' on 3386. nDPI names them
// GTP.GTP_U, GTP.GTP_C and GTP.GTP_PRIME.
type gtpDissector struct{}

func (gtpDissector) Name() string { return "GTP" }

var (
	protoGTP      = protoByName("GTP")
	protoGTPU     = protoByName("GTP_U")
	protoGTPC     = protoByName("GTP_C")
	protoGTPPrime = protoByName("GTP_PRIME")
)

func (gtpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) <= 4 {
		return NotMine
	}
	flags, typ, n := b[0], b[1], int(be16(b[2:]))
	version, pt := flags>>5, flags>>4&1
	sub := ProtoUnknown
	switch {
	case hasPort(p, 2152) && version == 1 && pt == 1 && len(b) >= 8 && n <= len(b)-8:
		sub = protoGTPU
	case hasPort(p, 2123) && (version == 1 && len(b) >= 8 && n == len(b)-8 && (flags&7 == 0 || n >= 4) && typ > 0 && typ <= 129 ||
		version == 2 && n == len(b)-4):
		sub = protoGTPC
	case hasPort(p, 3386) && pt == 0 && flags>>1&7 == 7 && len(b) >= 6 && n <= len(b)-6 &&
		(typ > 0 && typ <= 7 || typ == 240 || typ == 241):
		sub = protoGTPPrime
	default:
		return NotMine
	}
	st.SetProtocol(sub, protoGTP, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: gtpDissector{}, Transport: UDP, Proto: protoGTP, Order: orderOf("gtp")})
}
