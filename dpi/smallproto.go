package dpi

import "bytes"

// Small protocols recognised by a fixed header (one dissector each).

// Check_MK agent output starts with "<<<check_mk>>>" (TCP); large packets
// of a transfer already under way are not held against it.
type checkmkDissector struct{}

func (checkmkDissector) Name() string { return "CHECKMK" }

var protoCHECKMK = protoByName("CHECKMK")

func (checkmkDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) > 128 {
		return NeedMore
	}
	if len(b) >= 15 && len(b) < 100 && bytes.HasPrefix(b, []byte("<<<check_mk>>>")) {
		st.SetProtocol(protoCHECKMK, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

// Among Us: the UDP hello 08 00 01 00 80 d9 02 03.
type amongUsDissector struct{}

func (amongUsDissector) Name() string { return "AmongUs" }

var protoAmongUs = protoByName("AmongUs")

func (amongUsDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) > 9 && be32(b) == 0x08000100 && be32(b[4:]) == 0x80d90203 {
		st.SetProtocol(protoAmongUs, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

// Check Point ClusterXL (CPHA): 1a 90 between UDP ports 8116, sent from
// 0.0.0.0 (IPv4 only).
type cphaDissector struct{}

func (cphaDissector) Name() string { return "CPHA" }

var protoCPHA = protoByName("CPHA")

func (cphaDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.IPVersion != 4 {
		return NeedMore
	}
	if len(b) > 20 && b[0] == 0x1a && b[1] == 0x90 && p.SrcPort == 8116 && p.DstPort == 8116 &&
		p.SrcIP.As4() == [4]byte{} {
		st.SetProtocol(protoCPHA, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

// Diameter over TCP: version 1, a single flag bit (request, proxiable,
// error or retransmitted) and a base command code. The command code is
// read as nDPI does (its first byte shifted by 8, like the second).
type diameterDissector struct{}

func (diameterDissector) Name() string { return "Diameter" }

var protoDiameter = protoByName("Diameter")

func (diameterDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) >= 20 && b[0] == 1 && (b[4] == 0x80 || b[4] == 0x40 || b[4] == 0x20 || b[4] == 0x10) {
		switch uint16(b[7]) + uint16(b[6])<<8 + uint16(b[5])<<8 {
		case 271, 274, 272, 257, 280, 282, 258, 275:
			st.SetProtocol(protoDiameter, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	}
	return NotMine
}

// Zabbix agent protocol over TCP: "ZBXD\x01".
type zabbixDissector struct{}

func (zabbixDissector) Name() string { return "Zabbix" }

var protoZabbix = protoByName("Zabbix")

func (zabbixDissector) Dissect(p *Packet, st *State) Verdict {
	if bytes.HasPrefix(p.Payload, []byte("ZBXD\x01")) {
		st.SetProtocol(protoZabbix, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

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
	register(Spec{Dissector: checkmkDissector{}, Transport: TCP, Proto: protoCHECKMK, Order: orderOf("checkmk")})
	register(Spec{Dissector: amongUsDissector{}, Transport: UDP, Proto: protoAmongUs, Order: orderOf("among_us")})
	register(Spec{Dissector: cphaDissector{}, Transport: UDP, Proto: protoCPHA, Order: orderOf("cpha")})
	register(Spec{Dissector: diameterDissector{}, Transport: TCP, Proto: protoDiameter, Order: orderOf("diameter")})
	register(Spec{Dissector: zabbixDissector{}, Transport: TCP, Proto: protoZabbix, Order: orderOf("zabbix")})
	register(Spec{Dissector: gitDissector{}, Transport: TCP, Proto: protoGit, Order: orderOf("git")})
}
