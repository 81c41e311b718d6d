package dpi

import "bytes"

// WS-Discovery: SOAP-over-UDP XML sent to UDP 3702 on a multicast group
// (239.255.255.250 or FF02::C).
type wsdDissector struct{}

func (wsdDissector) Name() string { return "WSD" }

var protoWSD = protoByName("WSD")

func (wsdDissector) Dissect(p *Packet, st *State) Verdict {
	multicast := false
	if p.DstIP.Is4() {
		multicast = p.DstIP.As4()[0]&0xf0 == 0xe0
	} else {
		a := p.DstIP.As16()
		multicast = a[0] == 0xff && a[1] == 0x02 && a[2] == 0 && a[3] == 0
	}
	if multicast && p.DstPort == 3702 && len(p.Payload) >= 40 && bytes.HasPrefix(p.Payload, []byte("<?xml")) {
		st.SetProtocol(protoWSD, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: wsdDissector{}, Transport: UDP, Proto: protoWSD, Order: orderOf("wsd")})
}
