package dpi

import "encoding/binary"

// MongoDB wire protocol: a 16-byte little-endian header (message length,
// request id, response-to, op code) with a known op code; OP_REPLY also
// needs sane response flags.
type mongodbDissector struct{}

func (mongodbDissector) Name() string { return "MongoDB" }

var protoMongoDB = protoByName("MongoDB")

func (mongodbDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if payloadCounter(st) > 6 || len(b) <= 16 {
		return NotMine
	}
	le := binary.LittleEndian
	if n := le.Uint32(b); n < 4 || n > 1000000 {
		return NotMine
	}
	switch le.Uint32(b[12:]) {
	case 2001, 2002, 2003, 2004, 2005, 2006, 2007, 2013: // update … kill cursors, OP_MSG
		st.SetProtocol(protoMongoDB, ProtoUnknown, ConfidenceDPI)
		return Done
	case 1: // OP_REPLY
		if len(b) > 36 && le.Uint32(b[16:])&0xfffffff0 == 0 {
			st.SetProtocol(protoMongoDB, ProtoUnknown, ConfidenceDPI)
			return Done
		}
		return NeedMore
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: mongodbDissector{}, Transport: TCP, Proto: protoMongoDB, Order: orderOf("mongodb")})
}
