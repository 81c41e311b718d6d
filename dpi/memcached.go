package dpi

import "bytes"

// memcached's text protocol over TCP, or over UDP behind its 8-byte frame
// header: two packets starting with a command ("get ", "set ", …) or a
// reply ("STORED\r\n", "END\r\n", "VALUE"-less "STAT ", …).
type memcachedDissector struct{}

func (memcachedDissector) Name() string { return "Memcached" }

var protoMemcached = protoByName("Memcached")

var memcachedWords = [...]string{
	"set ", "add ", "replace ", "append ", "prepend ", "cas ", "get ", "gets ", "delete ", "incr ",
	"decr ", "touch ", "gat ", "gats ", "stats", "ERROR\r\n", "CLIENT_ERROR ", "SERVER_ERROR ",
	"STORED\r\n", "NOT_STORED\r\n", "EXISTS\r\n", "NOT_FOUND\r\n", "END\r\n", "DELETED\r\n",
	"TOUCHED\r\n", "STAT ",
}

type memcachedFlow struct{ matches uint8 }

var memcachedID DissectorID

func (memcachedDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	const minLen = len("END\r\n")
	if p.Protocol == 17 {
		// UDP frame header: request id, sequence, datagram count (≠ 0), reserved 0.
		if len(b) < minLen+8 || b[4] == 0 && b[5] == 0 || b[6] != 0 || b[7] != 0 {
			return NotMine
		}
		b = b[8:]
	} else if len(b) < minLen {
		return NotMine
	}
	var scratch memcachedFlow
	s, stored := loadState(st, memcachedID, &scratch)
	defer keepState(st, memcachedID, s, stored)
	for _, w := range memcachedWords {
		if bytes.HasPrefix(b, []byte(w)) {
			s.matches = sat8(s.matches)
			break
		}
	}
	if s.matches >= 2 {
		st.SetProtocol(protoMemcached, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	if payloadCounter(st) > 5 {
		return NotMine
	}
	return NeedMore
}

func init() {
	memcachedID = register(Spec{Dissector: memcachedDissector{}, Transport: TCPUDP, Proto: protoMemcached, Order: orderOf("memcached")})
}
