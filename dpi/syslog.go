package dpi

// Syslog (RFC 3164/5424): "<PRI>" with up to three digits, an optional
// space, then a tag or host name of letters and digits ending in one of
// " :=[-" (a colon must be followed by a space).
type syslogDissector struct{}

func (syslogDissector) Name() string { return "Syslog" }

var protoSyslog = protoByName("Syslog")

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func (syslogDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) <= 20 || b[0] != '<' {
		return NotMine
	}
	i := 1
	for i <= 3 && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if b[i] != '>' {
		return NotMine
	}
	i++
	if b[i] == ' ' {
		i++
	}
	for ; i < len(b)-1; i++ {
		c := b[i]
		if isAlnum(c) {
			continue
		}
		if c == ' ' || c == ':' || c == '=' || c == '[' || c == '-' {
			break
		}
		return NotMine
	}
	if b[i] == ':' && (i+1 >= len(b) || b[i+1] != ' ') {
		return NotMine
	}
	st.SetProtocol(protoSyslog, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: syslogDissector{}, Transport: TCPUDP, Proto: protoSyslog, Order: orderOf("syslog")})
}
