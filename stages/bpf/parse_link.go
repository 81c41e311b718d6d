package bpf

import (
	"strconv"
	"strings"
)

// parseLength parses "greater N" (len >= N) and "less N" (len <= N).
func (p *parser) parseLength() (*node, qualifiers, error) {
	kw := p.next()
	t := p.peek()
	if t.kind != tokWord || t.escaped || !isNumber(t.text) {
		return nil, qualifiers{}, p.errAt(t.offset, "syntax error: expected a length after %q, found %s", kw.text, t.describe())
	}
	p.next()
	v, err := p.number(t)
	if err != nil {
		return nil, qualifiers{}, err
	}
	op := relGe
	if kw.text == "less" {
		op = relLe
	}
	return p.relationNode(op, &arith{op: arLen}, constant(v)), qualifiers{}, nil
}

// parseCast parses "ip broadcast", "ip multicast", "ip6 multicast" and
// "ether broadcast", "ether multicast".
func (p *parser) parseCast() (*node, qualifiers, error) {
	proto, kw := p.next(), p.next()
	prim := primitive{kind: primFixed, abbrev: proto.text + " " + kw.text, depth: p.vlanDepth}
	switch prim.abbrev {
	case "ether broadcast":
		prim.fixed, p.usesEther = fixedEtherBroadcast, true
	case "ether multicast":
		prim.fixed, p.usesEther = fixedEtherMulticast, true
	case "ip broadcast":
		// tcpdump -r compiles with an unknown netmask, taken as 0: the
		// broadcast addresses are then 0.0.0.0 and 255.255.255.255.
		prim.fixed = fixedIPBroadcast
	case "ip multicast":
		prim.fixed = fixedIPMulticast
	case "ip6 multicast":
		prim.fixed = fixedIP6Multicast
	default:
		return nil, qualifiers{}, p.errAt(proto.offset, "unsupported primitive %q", prim.abbrev)
	}
	return &node{kind: nodePrim, prim: prim}, qualifiers{}, nil
}

// etherTypeNames are the names "ether proto" takes (escaped, as libpcap
// wants them: "ether proto \ip").
var etherTypeNames = map[string]uint16{"ip": etherTypeIPv4, "ip6": etherTypeIPv6, "arp": etherTypeARP, "rarp": etherTypeRARP}

func (p *parser) etherProtoValue(t token, prim *primitive) error {
	var v uint32
	if isNumber(t.text) && !t.escaped {
		n, err := p.number(t)
		if err != nil {
			return err
		}
		if n > 0xffff {
			return p.errAt(t.offset, "EtherType %d out of range 0-65535", n)
		}
		v = n
	} else if et, ok := etherTypeNames[t.text]; ok {
		v = uint32(et)
	} else {
		return p.errAt(t.offset, "unknown EtherType name %s (use a number or one of ip, ip6, arp, rarp)", t.describe())
	}
	prim.kind, prim.etherType = primLinkProto, uint16(v)
	prim.abbrev = "ether proto " + strconv.FormatUint(uint64(v), 10)
	return nil
}

func (p *parser) macValue(q qualifiers, t token, prim *primitive) error {
	if q.addr != addrHost && q.addr != addrDefault {
		return p.errAt(t.offset, "\"ether\" qualifier cannot be used with %s", addrQualNames[q.addr])
	}
	mac, ok := parseMAC(t.text)
	if !ok || t.escaped {
		return p.errAt(t.offset, "invalid MAC address %s (write it as xx:xx:xx:xx:xx:xx; host names are not resolved)", t.describe())
	}
	prim.kind, prim.mac = primEther, mac
	p.usesEther = true
	return nil
}

// parseMAC reads the MAC address forms libpcap accepts: six groups of one
// or two hex digits separated by ':', '-' or '.', three groups of four
// separated by '.', or twelve hex digits.
func parseMAC(s string) ([6]byte, bool) {
	var mac [6]byte
	hexGroups := func(groups []string, width int) bool {
		for _, g := range groups {
			if len(g) == 0 || len(g) > width {
				return false
			}
			if _, err := strconv.ParseUint(g, 16, 16); err != nil {
				return false
			}
		}
		return true
	}
	for _, sep := range []string{":", "-", "."} {
		if g := strings.Split(s, sep); len(g) == 6 && hexGroups(g, 2) {
			for i := range g {
				v, _ := strconv.ParseUint(g[i], 16, 8)
				mac[i] = byte(v)
			}
			return mac, true
		}
	}
	if g := strings.Split(s, "."); len(g) == 3 && hexGroups(g, 4) {
		for i := range g {
			v, _ := strconv.ParseUint(g[i], 16, 16)
			mac[2*i], mac[2*i+1] = byte(v>>8), byte(v)
		}
		return mac, true
	}
	if len(s) == 12 && !strings.HasPrefix(s, "0x") {
		v, err := strconv.ParseUint(s, 16, 64)
		if err != nil {
			return mac, false
		}
		for i := range mac {
			mac[i] = byte(v >> (40 - 8*i))
		}
		return mac, true
	}
	return mac, false
}
