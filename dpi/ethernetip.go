package dpi

import "encoding/binary"

// EtherNet/IP (industrial CIP over TCP 44818): the 24-byte encapsulation
// header whose little-endian length covers the rest of the packet.
type ethernetIPDissector struct{}

func (ethernetIPDissector) Name() string { return "EthernetIP" }

var protoEthernetIP = protoByName("EthernetIP")

func (ethernetIPDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) >= 24 && hasPort(p, 44818) && int(binary.LittleEndian.Uint16(b[2:]))+24 == len(b) {
		st.SetProtocol(protoEthernetIP, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: ethernetIPDissector{}, Transport: TCP, Proto: protoEthernetIP, Order: orderOf("ethernet_ip")})
}
