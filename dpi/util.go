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
