package dpi

// NetBIOS over TCP/IP (RFC 1001/1002): the name service on UDP 137, the
// datagram service on UDP 138 (whose browser announcements carry SMB, so
// nDPI says NetBIOS.SMBv1 when the datagram is longer than its header), and
// the session service's session request on TCP 139. The encoded NetBIOS
// name of the packet becomes the server name.
type netbiosDissector struct{}

func (netbiosDissector) Name() string { return "NetBIOS" }

var (
	protoNetBIOS = protoByName("NetBIOS")
	protoSMBv1   = protoByName("SMBv1")
)

func (netbiosDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.Protocol == 17 {
		if p.DstPort == 137 && len(b) >= 50 && isNetBIOSNameService(b) {
			return netbiosFound(st, b, ProtoUnknown)
		}
		if p.DstPort == 138 && len(b) >= 14 && int(be16(b[10:])) == len(b)-14 &&
			b[0] >= 0x10 && b[0] <= 0x16 && p.SrcIP.Is4() && p.SrcIP.As4() == [4]byte(b[4:8]) {
			// A datagram whose source address field matches the sender.
			sub := ProtoUnknown
			if int16(be16(b[10:]))-82 > 0 {
				sub = protoSMBv1
			}
			return netbiosFound(st, b, sub)
		}
		return NotMine
	}
	if p.Protocol == 6 && p.DstPort == 139 && len(b) == 72 && b[0] == 0x81 && b[1] == 0 && be16(b[2:]) == 68 {
		// Session request: type 0x81, flags 0, 68 bytes of called and calling names.
		return netbiosFound(st, b, ProtoUnknown)
	}
	return NotMine
}

// isNetBIOSNameService matches the name-service packet shapes nDPI knows
// (b has at least 50 bytes).
func isNetBIOSNameService(b []byte) bool {
	flags := be16(b[2:])
	qd, an, ns, ar := be16(b[4:]), be16(b[6:]), be16(b[8:]), be16(b[10:])
	switch {
	case flags == 0 && qd == 1 && an == 0 && ns == 0 && ar == 0, // name query
		flags&0x8710 == 0x10 && qd == 1 && an == 0 && ns == 0, // broadcast query
		b[2] == 0x80 && qd == 1 && an == 0 && ns == 0 && ar == 1,
		flags == 0x4000 && qd == 1 && an == 0 && ns == 0 && ar == 1,
		(flags == 0x8400 || flags == 0x8500 || flags == 0xad86) && qd == 0 && an == 1 && ns == 0 && ar == 0,
		(flags == 0x2900 || flags == 0x2910) && qd == 1 && an == 0 && ns == 0 && ar == 1, // registration
		flags == 0x0110 && qd == 1 && an == 0 && ns == 0 && ar == 0:
		return true
	}
	// Name queries and their responses checked through the question's
	// type and class after the encoded name.
	nameLen := int(b[12])
	tail := 12 + nameLen
	if tail+6 > len(b) || b[tail+1] != 0 || be16(b[tail+4:]) != 0x0001 {
		return false
	}
	qtype := be16(b[tail+2:])
	switch {
	case flags&0xf800 == 0:
		return qd == 1 && an == 0 && ns == 0 && ar == 0 && len(b) == tail+6 && qtype == 0x0020
	case flags&0xf800 == 0x8000:
		switch {
		case qd == 0 && an == 1 && ns == 0 && ar == 0: // positive response
			return qtype == 0x0020
		case qd == 0 && an == 0 && ns == 0 && ar == 0: // negative response
			return qtype == 0x000a
		case qd == 0 && an == 0 && ns == 1 && ar == 1: // redirect
			return qtype == 0x0002
		}
	}
	return false
}

func netbiosFound(st *State, b []byte, sub ProtoID) Verdict {
	off := 14
	if len(b) > 12 && b[12] == 0x20 {
		off = 12
	}
	if off < len(b) {
		var buf [64]byte
		if name, ok := decodeNetBIOSName(b[off:], buf[:]); ok {
			st.setCServerName(name)
		}
	}
	st.SetProtocol(sub, protoNetBIOS, ConfidenceDPI)
	return Done
}

// decodeNetBIOSName decodes a first-level encoded NetBIOS name (a length
// byte, then two letters 'A'..'P' per byte) into out, the way nDPI (after
// tcpdump) does: unprintable bytes are dropped, decoding stops at the first
// letter out of range, and trailing spaces are trimmed (never the first
// byte). It reports false when no printable byte was decoded.
func decodeNetBIOSName(in, out []byte) ([]byte, bool) {
	const outMax = 62 // nDPI's 64-byte buffer less its two reserved bytes
	if len(in) == 0 {
		return nil, false
	}
	n := int(in[0]) / 2
	rest := in[1:]
	if n > outMax || n < 1 || 2*n > len(rest) {
		return nil, false
	}
	outLen, printable := 0, 0
	for ; n > 0 && outLen < outMax; n-- {
		if len(rest) < 2 || rest[0] < 'A' || rest[0] > 'P' || rest[1] < 'A' || rest[1] > 'P' {
			break
		}
		c := (rest[0]-'A')<<4 + (rest[1] - 'A')
		rest = rest[2:]
		if c >= 0x20 && c <= 0x7e {
			out[outLen] = c
			outLen++
			printable++
		}
	}
	for outLen > 1 && out[outLen-1] == ' ' {
		outLen--
	}
	return out[:outLen], printable > 0
}

func init() {
	register(Spec{Dissector: netbiosDissector{}, Transport: TCPUDP, Proto: protoNetBIOS, Order: orderOf("netbios")})
}
