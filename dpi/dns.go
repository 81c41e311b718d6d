package dpi

import "net/netip"

// DNS (RFC 1035) over UDP and TCP, multicast DNS (RFC 6762) and LLMNR
// (RFC 4795): like nDPI, only on ports 53, 5353 and (to) 5355. The first
// query name becomes requested_server_name and, through the host rules,
// DNS.<App>; otherwise the protocol is DNS, MDNS or LLMNR by port. A query
// waits for its answer (at most 5 more packets); the category is always
// Network.

var (
	protoDNS   = protoByName("DNS")
	protoMDNS  = protoByName("MDNS")
	protoLLMNR = protoByName("LLMNR")
)

type dnsDissector struct{}

func (dnsDissector) Name() string { return "DNS" }

var dnsID = register(Spec{Dissector: dnsDissector{}, Transport: TCPUDP, Proto: protoDNS,
	Aliases: []ProtoID{protoMDNS, protoLLMNR}, Order: orderOf("dns")})

type dnsFlow struct {
	queryType  uint16
	numAnswers int
	pkts       int
	noExtra    bool // nDPI never waits for an LLMNR answer
}

var (
	mdnsV4  = netip.AddrFrom4([4]byte{224, 0, 0, 251})
	llmnrV4 = netip.AddrFrom4([4]byte{224, 0, 0, 252})
	mdnsV6  = netip.AddrFrom16([16]byte{0xff, 0x02, 15: 0xfb})
	llmnrV6 = netip.AddrFrom16([16]byte{0xff, 0x02, 13: 0x01, 14: 0x00, 15: 0x03})
)

func dnsPortProto(port uint16) ProtoID {
	switch port {
	case 53:
		return protoDNS
	case 5355:
		return protoLLMNR
	case 5353:
		return protoMDNS
	}
	return ProtoUnknown
}

// dnsValidChar: letters, digits, '_' and '-'.
func dnsValidChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// dnsName reads the (uncompressed) name at off into buf the way nDPI
// prints it: lower case, other printable bytes as '_', others as '?'.
func dnsName(pl []byte, off int, buf []byte) []byte {
	out := buf[:0]
	max := cap(buf) - 1
	for len(out) < max && off < len(pl) && pl[off] != 0 {
		cl := int(pl[off])
		off++
		if cl&0xc0 != 0 || off+cl >= len(pl) {
			return buf[:0]
		}
		if len(out) > 0 && len(out) < max {
			out = append(out, '.')
		}
		for ; len(out) < max && cl > 0; cl-- {
			c := pl[off]
			off++
			switch {
			case dnsValidChar(c):
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				out = append(out, c)
			case c >= 0x20 && c < 0x7f:
				out = append(out, '_')
			default:
				out = append(out, '?')
			}
		}
	}
	return out
}

func (dnsDissector) Dissect(p *Packet, st *State) Verdict {
	df, _ := st.Data(dnsID).(*dnsFlow)
	if df == nil {
		df = &dnsFlow{}
		st.SetData(dnsID, df)
	}
	v := dnsSearch(p, st, df)
	detected := st.app != ProtoUnknown || st.master != ProtoUnknown
	if detected {
		if df.numAnswers != 0 || df.noExtra {
			return Done
		}
		st.SetExtraLimit(5)
		return NeedMore
	}
	return v
}

func dnsSearch(p *Packet, st *State, df *dnsFlow) Verdict {
	pl := p.Payload
	off := 0
	if p.Protocol == 17 {
		if (p.DstPort == 5353 && p.DstIP != mdnsV4 && p.DstIP != mdnsV6) ||
			(p.DstPort == 5355 && p.DstIP != llmnrV4 && p.DstIP != llmnrV6) {
			if len(pl) > 5 && be16(pl[2:]) != 0 && be16(pl[4:]) != 0 {
				return NotMine
			}
		}
	} else {
		off = 2
	}
	sp, dp := p.SrcPort, p.DstPort
	df.pkts++
	if (sp == 53 || dp == 53 || sp == 5353 || dp == 5353 || dp == 5355) && len(pl) > 12+off {
		flags := be16(pl[off+2:])
		nq := int(be16(pl[off+4:]))
		na := int(be16(pl[off+6:]))
		nauth := int(be16(pl[off+8:]))
		nadd := int(be16(pl[off+10:]))
		isQuery := flags&0x8000 == 0
		x := off + 12
		if isQuery {
			if !(nq <= 16 && (flags&0x2800 == 0x2800 || flags&0xfcf0 == 0 || flags&0xfcff == 0x0800 || (na == 0 && nauth == 0))) {
				return NotMine
			}
			for x+2 < len(pl) {
				if pl[x] == 0 {
					df.queryType = be16(pl[x+1:])
					break
				}
				x++
			}
		} else if df.queryType == 0 {
			for x+2 < len(pl) {
				if pl[x] == 0 {
					df.queryType = be16(pl[x+1:])
					break
				}
				x++
			}
		}
		goodReply := !isQuery && nq > 0 && nq <= 16 && ((na > 0 && na <= 16) || (nauth > 0 && nauth <= 16) || (nadd > 0 && nadd <= 16))
		if goodReply && st.app != protoDNS && st.master != protoDNS {
			// A reply whose query was missed: the protocol of the source port.
			if pp := dnsPortProto(sp); pp != ProtoUnknown {
				st.SetProtocol(pp, ProtoUnknown, ConfidenceDPI)
			}
		}

		app := protoDNS
		switch dp {
		case 5355:
			app = protoLLMNR
		case 5353:
			app = protoMDNS
		}
		master := ProtoUnknown
		var nb [256]byte
		name := dnsName(pl, off+12, nb[:0:256])
		st.SetServerName(name)
		if len(name) > 0 {
			if a, ok := hostApp(st.Reported().ServerName); ok {
				app, master = a, protoDNS
			} else {
				app = ProtoUnknown
				master = dnsPortProto(sp)
				if master == ProtoUnknown {
					master = dnsPortProto(dp)
				}
			}
		}
		if isQuery {
			st.SetProtocol(app, master, ConfidenceDPI)
			if len(name) > 0 {
				st.category = "Network"
			}
			df.noExtra = master == protoLLMNR
			return NeedMore
		}
		df.numAnswers = na + nauth + nadd
		if st.app == ProtoUnknown {
			st.SetProtocol(app, master, ConfidenceDPI)
			if len(name) > 0 {
				st.category = "Network"
			}
		} else if st.app != protoDNS && st.master != protoDNS {
			return NotMine
		}
	}
	if st.PayloadPackets[0]+st.PayloadPackets[1] > 3 {
		return NotMine
	}
	return NeedMore
}
