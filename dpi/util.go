package dpi

import "bytes"

// Small helpers shared by the long-tail dissectors.

// hasPort reports whether either port of the packet is port.
func hasPort(p *Packet, port uint16) bool { return p.SrcPort == port || p.DstPort == port }

// isBroadcastOrMulticast4 reports an IPv4 packet sent to 255.255.255.255 or
// to a 224.0.0.0/24 address, which nDPI keeps away from peer-to-peer
// dissectors.
func isBroadcastOrMulticast4(p *Packet) bool {
	if !p.DstIP.Is4() {
		return false
	}
	a := p.DstIP.As4()
	return a == [4]byte{255, 255, 255, 255} || a[0] == 224 && a[1] == 0 && a[2] == 0
}

// payloadCounter is nDPI's flow->packet_counter: packets with payload seen
// so far in both directions, the current one included.
func payloadCounter(st *State) uint32 { return st.PayloadPackets[0] + st.PayloadPackets[1] }

// setCServerName sets requested_server_name from bytes nDPI copies as a C
// string: the last 79 bytes, lower-cased, cut at the first NUL.
func (st *State) setCServerName(b []byte) {
	if len(b) > 79 {
		b = b[len(b)-79:]
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	st.SetServerName(b)
}

// maxTextLines is how many CRLF-terminated lines nDPI's line parser reads.
const maxTextLines = 64

// textHeader returns the value of the last header line starting with
// prefix (compared without case; prefix includes the colon) in a text
// message split at CRLF the way nDPI's line parser does: the first line
// counts only when it contains a colon, a line needs more than minLen
// bytes, and one space after the colon is skipped. It reports false when
// there is no such line.
func textHeader(b []byte, prefix string, minLen int) ([]byte, bool) {
	if len(b) < 3 {
		return nil, false
	}
	var val []byte
	found := false
	line, start := 0, 0
	check := func(l []byte) {
		if line == 0 && bytes.IndexByte(l, ':') < 0 {
			return
		}
		if len(l) > minLen && len(l) >= len(prefix) && equalFoldASCII(l[:len(prefix)], prefix) {
			v := l[len(prefix):]
			if len(v) > 0 && v[0] == ' ' {
				v = v[1:]
			}
			val, found = v, true
		}
	}
	for i := nextCRLF(b, 0); i >= 0; i = nextCRLF(b, start) {
		check(b[start:i])
		if line >= maxTextLines-1 {
			return val, found
		}
		line++
		start = i + 2
	}
	if line >= 1 {
		check(b[start:])
	}
	return val, found
}

// nextCRLF returns the index of the first CRLF in b at or after from, or
// -1. It looks for the CRs with IndexByte, at memchr speed, rather than
// testing every byte: most payloads the text dissectors are offered are
// binary, or long lines.
func nextCRLF(b []byte, from int) int {
	for from+1 < len(b) {
		j := bytes.IndexByte(b[from:len(b)-1], '\r') // a last CR has no LF after it
		if j < 0 {
			return -1
		}
		from += j
		if b[from+1] == '\n' {
			return from
		}
		from++
	}
	return -1
}

// equalFoldASCII compares b with s ignoring ASCII case.
func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// cContains reports whether pattern occurs in b read as a C string (up to
// the first NUL), the way nDPI's ndpi_strnstr searches payloads.
func cContains(b []byte, pattern string) bool {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return bytes.Contains(b, []byte(pattern))
}

// cIndex is cContains returning the offset of the match, or -1.
func cIndex(b []byte, pattern string) int {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return bytes.Index(b, []byte(pattern))
}

// ndpiDirection is nDPI's own packet direction for TCP and UDP: 1 when the
// source port is below the destination port (server to client, usually),
// else 0. Some dissectors (SSH's HASSH) name client and server by it.
func ndpiDirection(p *Packet) uint8 {
	if p.SrcPort < p.DstPort {
		return 1
	}
	return 0
}

// seenTCPHandshake approximates nDPI's "seen flow beginning" from the TCP
// flags seen so far: a SYN and an ACK from each side (SYN, SYN+ACK, ACK).
func seenTCPHandshake(st *State) bool {
	const want = FlagSYN | FlagACK
	return st.TCPFlagsSeen(0)&want == want && st.TCPFlagsSeen(1)&want == want
}

// loadState returns a dissector's stored per-flow state, or scratch (a
// zero value on the caller's stack) when the flow has none yet. With
// keepState it lets a dissector allocate its state only once there is
// something to remember, so flows it never matches cost no allocation.
func loadState[T comparable](st *State, id DissectorID, scratch *T) (s *T, stored bool) {
	if v, ok := st.Data(id).(*T); ok {
		return v, true
	}
	return scratch, false
}

// keepState stores a copy of scratch state that is no longer the zero
// value (state already stored is updated in place).
func keepState[T comparable](st *State, id DissectorID, s *T, stored bool) {
	var zero T
	if !stored && *s != zero {
		v := new(T)
		*v = *s
		st.SetData(id, v)
	}
}
