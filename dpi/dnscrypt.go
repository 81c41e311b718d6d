package dpi

import "bytes"

// DNSCrypt (not DNS: its own nDPI dissector, after the table-driven DNS
// ones): version 1 queries open with the client magic "r6fnvWj8", and the
// resolver's certificate ping is a DNS TXT query for "2.dnscrypt-cert.…":
// after the 12-byte DNS header and the label length 1, the bytes read
// "2\rdnscrypt" (the label "2", then the length 13 of "dnscrypt-cert").
// The flow is decided by its first packet each way, at most ten packets.
type dnscryptDissector struct{}

func (dnscryptDissector) Name() string { return "DNScrypt" }

var protoDNScrypt = protoByName("DNScrypt")

func (dnscryptDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	const ping = "2\rdnscrypt"
	if len(b) >= 64 && bytes.HasPrefix(b, []byte("r6fnvWj8")) ||
		len(b) > 13+len(ping) && equalFoldASCII(b[13:13+len(ping)], ping) {
		st.SetProtocol(protoDNScrypt, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	d := p.Direction & 1
	if st.Packets[d] >= 1 && st.Packets[1-d] >= 1 || payloadCounter(st) >= 10 {
		return NotMine
	}
	return NeedMore
}

func init() {
	register(Spec{Dissector: dnscryptDissector{}, Transport: TCPUDP, Proto: protoDNScrypt, Order: orderOf("dnscrypt")})
}
