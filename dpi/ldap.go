package dpi

// LDAP (RFC 4511) over TCP or UDP: an LDAPMessage SEQUENCE with a BER
// length, a messageID INTEGER, then an application-class protocolOp tag
// (0..25).
type ldapDissector struct{}

func (ldapDissector) Name() string { return "LDAP" }

var protoLDAP = protoByName("LDAP")

func (ldapDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) > 1 && b[0] == 0x30 {
		if n, ll, ok := berLength(b[1:]); ok && n > 0 && len(b) > 1+ll+1 && b[1+ll] == 0x02 {
			idLen := int(b[1+ll+1])
			if op := 1 + ll + 1 + idLen + 1; len(b) > op && b[op]&0x60 == 0x60 && b[op]&0x1f <= 25 {
				st.SetProtocol(protoLDAP, ProtoUnknown, ConfidenceDPI)
				return Done
			}
		}
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: ldapDissector{}, Transport: TCPUDP, Proto: protoLDAP, Order: orderOf("ldap")})
}
