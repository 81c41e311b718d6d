package dpi

// AliCloud (TCP): Alibaba Cloud's client channel frames each message with
// the 32-bit magic 0xcefabeba and a 32-bit length. nDPI accepts a bare
// 8-byte header announcing a non-zero length, or a header whose length is
// exactly the rest of the packet, and gives up after three payload packets
// without one.
type alicloudDissector struct{}

func (alicloudDissector) Name() string { return "AliCloud" }

var protoAliCloud = protoByName("AliCloud")

func (alicloudDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 8 {
		return NotMine
	}
	if be32(b) == 0xcefabeba {
		n := uint64(be32(b[4:]))
		if len(b) == 8 && n > 0 || n == uint64(len(b))-8 {
			st.SetProtocol(protoAliCloud, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	}
	if payloadCounter(st) > 3 {
		return NotMine
	}
	return NeedMore
}

func init() {
	register(Spec{Dissector: alicloudDissector{}, Transport: TCP, Proto: protoAliCloud, Order: orderOf("alicloud")})
}
