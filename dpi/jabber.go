package dpi

import "bytes"

// Jabber/XMPP: a stream header ("<?xml version=" or "<stream:stream ")
// declaring the etherx.jabber.org streams namespace (TruPhone when it
// names im.truphone.com), jabber.org presence or command stanzas, the
// stream end, or the old SSL-wrapped transport (a 3-byte record header
// with its length, after four packets).
type jabberDissector struct{}

func (jabberDissector) Name() string { return "Jabber" }

var (
	protoJabber   = protoByName("Jabber")
	protoTruPhone = protoByName("TruPhone")
)

func (jabberDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) >= 3 && b[1] == 0 && int(b[2]) == len(b) {
		if payloadCounter(st) > 3 {
			return jabberFound(st, protoJabber)
		}
		if b[0] == 0x25 || b[0] == 0x26 || b[0] == 0x30 {
			return NeedMore
		}
		return NotMine
	}
	switch {
	case bytes.HasPrefix(b, []byte("<presence ")) && cContains(b, "xmlns='http://jabber.org/protocol/"),
		bytes.HasPrefix(b, []byte("<iq type='")) && cContains(b, "xmlns='http://jabber.org/protocol/commands'"),
		string(b) == "</stream:stream>":
		return jabberFound(st, protoJabber)
	}
	if len(b) > 13 && bytes.HasPrefix(b, []byte("<?xml version=")) || bytes.HasPrefix(b, []byte("<stream:stream ")) {
		rest := b[13:]
		if cContains(rest, "xmlns:stream='http://etherx.jabber.org/streams'") ||
			cContains(rest, `xmlns:stream="http://etherx.jabber.org/streams"`) {
			if cContains(rest, "='im.truphone.com'") || cContains(rest, `="im.truphone.com"`) {
				return jabberFound(st, protoTruPhone)
			}
			return jabberFound(st, protoJabber)
		}
		return NeedMore
	}
	return NotMine
}

func jabberFound(st *State, app ProtoID) Verdict {
	st.SetProtocol(app, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: jabberDissector{}, Transport: TCPUDP, Proto: protoJabber, Order: orderOf("jabber")})
}
