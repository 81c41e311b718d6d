package dpi

// SNMP over UDP 161/162: a BER SEQUENCE whose definite length covers the
// packet, then the version INTEGER 0 (v1), 1 (v2c) or 3 (v3).
type snmpDissector struct{}

func (snmpDissector) Name() string { return "SNMP" }

var protoSNMP = protoByName("SNMP")

// berLength decodes a BER length (short form, or long form with up to 4
// octets); n is the octets used. ok is false for malformed, indefinite or
// truncated lengths.
func berLength(b []byte) (v, n int, ok bool) {
	if len(b) == 0 || b[0] == 0xff {
		return 0, 0, false
	}
	if b[0] <= 0x80 {
		return int(b[0]), 1, true
	}
	k := int(b[0] & 0x7f)
	if k == 0 || k > 4 || len(b) <= k+1 {
		return 0, 0, false
	}
	for i := 1; i <= k; i++ {
		v = v<<8 | int(b[i])
	}
	return v, k + 1, true
}

func (snmpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if !hasPort(p, 161) && !hasPort(p, 162) {
		return NotMine
	}
	if len(b) > 16 && b[0] == 0x30 {
		if n, ll, ok := berLength(b[1:]); ok && n > 2 && 1+ll+n == len(b) {
			// nDPI reads a few more packets for the error status, which
			// NFStream does not report.
			if v := b[1+ll+2]; v == 0 || v == 1 || v == 3 {
				st.SetProtocol(protoSNMP, ProtoUnknown, ConfidenceDPI)
				return Done
			}
		}
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: snmpDissector{}, Transport: UDP, Proto: protoSNMP, Order: orderOf("snmp")})
}
