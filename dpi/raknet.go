package dpi

// RakNet (game networking over UDP, https://wiki.vg/Raknet_Protocol). The
// first byte is the message id; each offline message has a fixed length,
// so a packet of the wrong length ends the search. Frame sets and ACK/NACK
// records are walked to the end of the packet and decide at once; the other
// messages only decide after a few packets, since a short fixed-size
// packet alone is weak evidence.
type raknetDissector struct{}

func (raknetDissector) Name() string { return "RakNet" }

var protoRakNet = protoByName("RakNet")

// raknetAddr is the size of the address at off (4 or 16 after the version
// byte), 0 when the byte there is no address version.
func raknetAddr(b []byte, off int) int {
	if off+1 >= len(b) {
		return 0
	}
	switch b[off] {
	case 4:
		return 4
	case 6:
		return 16
	}
	return 0
}

func (raknetDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	n := len(b)
	if n < 7 {
		return NotMine
	}
	need := uint32(3)
	switch b[0] {
	case 0x00: // connected ping
		if n != 8 {
			return NotMine
		}
		need = 6
	case 0x01, 0x02: // unconnected ping
		if n != 32 {
			return NotMine
		}
		need = 6
	case 0x03: // connected pong
		if n != 16 {
			return NotMine
		}
		need = 6
	case 0x05: // open connection request 1; b[17] is the protocol version
		if n < 18 || b[17] > 10 {
			return NotMine
		}
		need = 6
	case 0x06: // open connection reply 1: security flag, then the MTU
		if n != 28 || b[25] > 1 || be16(b[26:]) > 1500 {
			return NotMine
		}
		need = 4
	case 0x07: // open connection request 2
		a := raknetAddr(b, 17)
		if !(a == 16 && n == 46 || a == 4 && n == 34) || be16(b[20+a:]) > 1500 {
			return NotMine
		}
	case 0x08: // open connection reply 2
		a := raknetAddr(b, 25)
		if !(a == 16 && n == 47 || a == 4 && n == 35) || be16(b[28+a:]) > 1500 {
			return NotMine
		}
	case 0x10, 0x13: // connection request accepted, new incoming connection
		off := 4 + raknetAddr(b, 0)
		if b[0] == 0x10 {
			off += 2 // system index
		}
		for range 10 { // the internal addresses
			off += 3 + raknetAddr(b, off)
		}
		if off+16 != n {
			return NotMine
		}
	case 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d:
		return raknetFrameSet(b, st)
	case 0x09: // connection request
		if n != 16 {
			return NotMine
		}
		need = 6
	case 0x15: // disconnect
		need = 8
	case 0x19: // incompatible protocol version
		if n != 25 || b[17] > 10 {
			return NotMine
		}
	case 0x1c: // unconnected pong: the server's MOTD string ends the packet
		if n < 35 {
			return NotMine
		}
		if l := int(be16(b[33:])); l == 0 || l+35 != n {
			return NotMine
		}
	case 0xa0, 0xc0: // NACK, ACK
		return raknetAcks(b, st)
	case 0xfe: // game packet
		need = 8
	default:
		return NotMine
	}
	if payloadCounter(st) < need {
		return NeedMore
	}
	st.SetProtocol(protoRakNet, ProtoUnknown, ConfidenceDPI)
	return Done
}

// raknetFrameSet walks the frames after the 3-byte sequence number; they
// must end exactly at the end of the packet.
func raknetFrameSet(b []byte, st *State) Verdict {
	off := 4
	for {
		flags := b[off]
		if flags&0x0f != 0 {
			return NotMine
		}
		size := int(be16(b[off+1:])) / 8 // the length is in bits
		if size == 0 {
			return NotMine
		}
		rel := flags >> 5
		if rel >= 2 && rel <= 4 { // reliable: message index
			off += 3
		}
		if rel == 1 || rel == 4 { // sequenced: sequence index
			off += 3
		}
		if rel == 3 || rel == 7 { // ordered: order index and channel
			off += 4
		}
		if flags&0x10 != 0 { // fragmented: count, id, index
			off += 10
		}
		off += size + 3
		if off+3 > len(b) {
			break
		}
	}
	if off != len(b) {
		return NotMine
	}
	st.SetProtocol(protoRakNet, ProtoUnknown, ConfidenceDPI)
	return Done
}

// raknetAcks walks the ACK/NACK records (a range of two sequence numbers or
// a single one); their count and size must match the packet.
func raknetAcks(b []byte, st *State) Verdict {
	count := int(be16(b[1:]))
	i, off := 0, 3
	for {
		switch b[off] {
		case 0: // range
			off += 7
		case 1: // single
			off += 4
		default:
			return NotMine
		}
		i++
		if i >= count || off+4 > len(b) {
			break
		}
	}
	if i != count || off != len(b) {
		return NotMine
	}
	st.SetProtocol(protoRakNet, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: raknetDissector{}, Transport: UDP, Proto: protoRakNet, Order: orderOf("raknet")})
}
