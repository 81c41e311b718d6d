package dpi

// IPsec key exchange (ISAKMP/IKE) over UDP: the 28-byte header (after the
// 4-byte non-ESP marker on port 4500) with major version 1 or 2 and a
// length equal to the message. Odd next-payload, exchange or flag values
// still count on ports 500/4500 (nDPI flags them as malformed).
type ipsecDissector struct{}

func (ipsecDissector) Name() string { return "IPSec" }

var protoIPSec = protoByName("IPSec")

func (ipsecDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 28 {
		return NotMine
	}
	off := 0
	if be32(b) == 0 {
		off = 4
		if len(b) < 32 {
			return NotMine
		}
	}
	version := b[off+17]
	if version != 0x20 && version != 0x10 || int(be32(b[off+24:])) != len(b)-off {
		return NotMine
	}
	next, exchange, flags := b[off+16], b[off+18], b[off+19]
	odd := false
	if version == 0x10 {
		odd = next >= 14 && next <= 127 || exchange >= 6 && exchange < 31 || flags >= 8
	} else {
		odd = next > 0 && next <= 32 || next >= 49 && next <= 127 ||
			exchange <= 33 || exchange >= 38 && exchange <= 239 || flags&0xc7 != 0
	}
	if odd && !hasPort(p, 500) && !hasPort(p, 4500) {
		return NotMine
	}
	st.SetProtocol(protoIPSec, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: ipsecDissector{}, Transport: UDP, Proto: protoIPSec, Order: orderOf("ipsec")})
}
