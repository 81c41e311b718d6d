package dpi

// Elasticsearch's binary transport protocol (TCP): "ES", a 32-bit message
// length, and at least that many bytes in the packet.
type elasticsearchDissector struct{}

func (elasticsearchDissector) Name() string { return "Elasticsearch" }

var protoElasticsearch = protoByName("Elasticsearch")

func (elasticsearchDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 6 || b[0] != 'E' || b[1] != 'S' {
		return NotMine
	}
	// nDPI adds in 32 bits, so a length near 2^32 wraps; kept for parity.
	if uint32(len(b)) < be32(b[2:])+6 {
		return NotMine
	}
	st.SetProtocol(protoElasticsearch, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: elasticsearchDissector{}, Transport: TCP, Proto: protoElasticsearch, Order: orderOf("elasticsearch")})
}
