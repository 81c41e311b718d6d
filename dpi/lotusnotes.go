package dpi

import "bytes"

// Lotus Notes (NRPC, TCP 1352): the first payload packet of a connection
// whose handshake was seen carries 00 00 02 00 00 40 02 0f at offset 6.
type lotusNotesDissector struct{}

func (lotusNotesDissector) Name() string { return "LotusNotes" }

var protoLotusNotes = protoByName("LotusNotes")

func (lotusNotesDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	switch n := payloadCounter(st); {
	case n == 1 && seenTCPHandshake(st):
		if len(b) > 16 {
			if bytes.HasPrefix(b[6:], []byte{0, 0, 2, 0, 0, 0x40, 2, 0x0f}) {
				st.SetProtocol(protoLotusNotes, ProtoUnknown, ConfidenceDPI)
				return Done
			}
			return NeedMore
		}
		return NotMine
	case n <= 3:
		return NeedMore
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: lotusNotesDissector{}, Transport: TCP, Proto: protoLotusNotes, Order: orderOf("lotus_notes")})
}
