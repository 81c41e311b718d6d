package dpi

// Git's native protocol on TCP 9418: pkt-lines, each a 4-hex-digit length
// (including itself) that fits what remains of the packet.
type gitDissector struct{}

func (gitDissector) Name() string { return "Git" }

var protoGit = protoByName("Git")

func (gitDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) <= 4 || !hasPort(p, 9418) {
		return NotMine
	}
	// nDPI both advances the offset and shrinks the remaining length by
	// each pkt-line, so it looks at roughly the first half; kept as is.
	off, rest := 0, len(b)
	for off+4 < rest {
		n, ok := scanHex(b[off : off+4])
		if !ok || rest < n || n == 0 {
			return NotMine
		}
		off += n
		rest -= n
	}
	st.SetProtocol(protoGit, ProtoUnknown, ConfidenceDPI)
	return Done
}

// scanHex reads a hexadecimal number from the start of b as C's "%x"
// does: optional spaces, sign and 0x prefix, then at least one digit.
func scanHex(b []byte) (int, bool) {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i+1 < len(b) && b[i] == '0' && (b[i+1] == 'x' || b[i+1] == 'X') && i+2 < len(b) && isHexDigit(b[i+2]) {
		i += 2
	}
	v, digits := uint32(0), 0
	for ; i < len(b) && isHexDigit(b[i]); i++ {
		c := b[i]
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		v = v<<4 | uint32(c)
		digits++
	}
	if digits == 0 {
		return 0, false
	}
	if neg {
		v = -v
	}
	return int(v), true
}

func init() {
	register(Spec{Dissector: gitDissector{}, Transport: TCP, Proto: protoGit, Order: orderOf("git")})
}
