package bpf

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// maxNesting bounds parentheses and "not" chains so that hostile input
// cannot make the recursive parser run deep.
const maxNesting = 256

// unsupportedKeywords are libpcap keywords outside this package's subset.
// Recognising them lets Compile say "unsupported" instead of "syntax error".
var unsupportedKeywords = map[string]bool{
	"link": true, "ppp": true, "slip": true, "fddi": true, "tr": true, "wlan": true,
	"rarp": true, "igmp": true, "igrp": true, "pim": true, "vrrp": true, "carp": true, "radio": true,
	"ah": true, "esp": true, "atalk": true, "aarp": true, "decnet": true, "lat": true, "sca": true,
	"moprc": true, "mopdl": true, "iso": true, "esis": true, "es-is": true, "isis": true, "is-is": true,
	"l1": true, "l2": true, "iih": true, "lsp": true, "snp": true, "csnp": true, "psnp": true,
	"clnp": true, "stp": true, "ipx": true, "netbeui": true, "protochain": true, "gateway": true,
	"type": true, "subtype": true, "dir": true, "direction": true, "address1": true, "addr1": true,
	"address2": true, "addr2": true, "address3": true, "addr3": true, "address4": true, "addr4": true,
	"ra": true, "ta": true, "byte": true, "inbound": true, "outbound": true, "ifindex": true, "mpls": true,
	"pppoed": true, "pppoes": true, "geneve": true, "vxlan": true, "lane": true, "llc": true,
	"metac": true, "bcc": true, "oam": true, "oamf4": true, "oamf4ec": true, "oamf4sc": true,
	"sc": true, "ilmic": true, "vpi": true, "vci": true, "connectmsg": true, "metaconnect": true,
	"on": true, "ifname": true, "rnr": true, "rulenum": true, "reason": true, "rset": true,
	"ruleset": true, "srnr": true, "subrulenum": true, "action": true, "fisu": true, "lssu": true,
	"lsu": true, "msu": true, "hfisu": true, "hlssu": true, "hmsu": true, "sio": true, "opc": true,
	"dpc": true, "sls": true, "hsio": true, "hopc": true, "hdpc": true, "hsls": true, "hdlc": true,
}

// supportedKeywords are the words that are never values.
var supportedKeywords = map[string]bool{
	"and": true, "or": true, "not": true, "src": true, "dst": true, "host": true, "net": true,
	"port": true, "portrange": true, "proto": true, "mask": true, "vlan": true,
	"ip": true, "ip6": true, "arp": true, "tcp": true, "udp": true, "sctp": true, "icmp": true, "icmp6": true,
	"ether": true, "len": true, "less": true, "greater": true, "broadcast": true, "multicast": true,
}

// protoNumbers are the protocol names accepted after "proto"; libpcap looks
// them up in /etc/protocols, which gives these numbers on every system.
var protoNumbers = map[string]uint32{"icmp": 1, "tcp": 6, "udp": 17, "icmp6": 58, "sctp": 132}

type parser struct {
	expr      string
	toks      []token
	pos       int
	nesting   int
	vlanDepth int // vlan primitives parsed so far
	usesVLAN  bool
	usesEther bool        // MAC addresses, link-layer broadcast or multicast
	rels      []*relation // the relations, numbered in order
}

func parse(expr string) (*node, *parser, error) {
	p := &parser{expr: expr, toks: lex(expr)}
	n, _, err := p.parseExpr(qualifiers{})
	if err != nil {
		return nil, nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, nil, p.unexpected(t)
	}
	return n, p, nil
}

func (p *parser) peek() token { return p.peekAt(0) }

func (p *parser) peekAt(k int) token {
	if p.pos+k < len(p.toks) {
		return p.toks[p.pos+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *parser) errAt(offset int, format string, args ...any) error {
	return &CompileError{Expr: p.expr, Offset: offset, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) unexpected(t token) error {
	if t.kind == tokWord && !t.escaped && unsupportedKeywords[t.text] {
		return p.unsupported(p.indexOf(t), p.indexOf(t))
	}
	if t.kind == tokOther && t.text != "(" {
		return p.errAt(t.offset, "unsupported operator %s (arithmetic and packet-data expressions are not supported)", t.describe())
	}
	return p.errAt(t.offset, "syntax error: unexpected %s", t.describe())
}

func (p *parser) indexOf(t token) int {
	for i := range p.toks {
		if p.toks[i].offset == t.offset && p.toks[i].kind == t.kind {
			return i
		}
	}
	return len(p.toks) - 1
}

// unsupported reports the primitive that starts at token start and whose
// unsupported keyword is token kw, quoting a following qualifier keyword
// too ("ether host") so the user sees which construct is meant.
func (p *parser) unsupported(start, kw int) error {
	end := kw
	if nt := p.toks[kw+1]; nt.kind == tokWord && !nt.escaped && (unsupportedKeywords[nt.text] ||
		supportedKeywords[nt.text] && nt.text != "and" && nt.text != "or" && nt.text != "not") {
		end++
	}
	words := make([]string, 0, end-start+1)
	for i := start; i <= end; i++ {
		words = append(words, p.toks[i].text)
	}
	text := strings.Join(words, " ")
	if p.toks[end+1].kind == tokOther && p.toks[end+1].text == "[" {
		text += "[...]"
	}
	return p.errAt(p.toks[start].offset, "unsupported primitive %q", text)
}

func (p *parser) enter() error {
	p.nesting++
	if p.nesting > maxNesting {
		return p.errAt(p.peek().offset, "expression nested too deeply (more than %d levels)", maxNesting)
	}
	return nil
}

func (p *parser) leave() { p.nesting-- }

func isKeyword(t token, kw string) bool { return t.kind == tokWord && !t.escaped && t.text == kw }
func isAnd(t token) bool                { return t.kind == tokAnd || isKeyword(t, "and") }
func isOr(t token) bool                 { return t.kind == tokOr || isKeyword(t, "or") }
func isNot(t token) bool                { return t.kind == tokNot || isKeyword(t, "not") }

// isValue reports whether t is a word that is not a keyword: a number, an
// address, a port range or a name.
func isValue(t token) bool {
	return t.kind == tokWord && (t.escaped || !supportedKeywords[t.text] && !unsupportedKeywords[t.text])
}

func isProtoQual(t token) bool {
	_, ok := protoQualByName[t.text]
	return t.kind == tokWord && !t.escaped && ok
}

// startsQualifiers reports whether t begins the direction/address part of
// a primitive's qualifiers.
func startsQualifiers(t token) bool {
	if t.kind != tokWord || t.escaped {
		return false
	}
	switch t.text {
	case "src", "dst", "host", "net", "port", "portrange", "proto":
		return true
	}
	return false
}

// valueAhead decides, after "and"/"or", between a bare value that inherits
// qualifiers and a full term, as libpcap's grammar does: skip any "not"
// and "(" and look at the first other token. A number followed by an
// operator ("and (13 <= len)") and a named constant start a relation.
func (p *parser) valueAhead() bool {
	for k := 0; ; k++ {
		t := p.peekAt(k)
		if isNot(t) || t.kind == tokLParen {
			continue
		}
		if _, named := namedConstants[t.text]; named && !t.escaped {
			return false
		}
		// libpcap's "10/8" after and/or is arithmetic: only a dotted
		// address (10.0/16) is a network inheriting the qualifier.
		if nk := p.peekAt(k + 1).kind; t.kind == tokWord && !t.escaped && isNumber(t.text) && (nk == tokOther || nk == tokSlash) {
			return false
		}
		return isValue(t)
	}
}

// parseExpr parses terms joined by and/or, grouping from the left. prev
// is what a bare value after the first "and"/"or" may inherit; the
// returned qualifiers are what the next one would.
func (p *parser) parseExpr(prev qualifiers) (*node, qualifiers, error) {
	if err := p.enter(); err != nil {
		return nil, prev, err
	}
	defer p.leave()
	left, q, err := p.parseTerm(prev)
	if err != nil {
		return nil, q, err
	}
	for {
		t := p.peek()
		kind := nodeAnd
		switch {
		case isAnd(t):
		case isOr(t):
			kind = nodeOr
		default:
			return left, q, nil
		}
		p.next()
		var right *node
		if p.valueAhead() {
			right, q, err = p.parseID(q, false)
		} else {
			right, q, err = p.parseTerm(q)
		}
		if err != nil {
			return nil, q, err
		}
		left = &node{kind: kind, x: left, y: right}
	}
}

func (p *parser) parseTerm(prev qualifiers) (*node, qualifiers, error) {
	if err := p.enter(); err != nil {
		return nil, prev, err
	}
	defer p.leave()
	t := p.peek()
	if !p.startsArith(t) {
		return p.parseLogicalTerm(prev)
	}
	start, rels := p.pos, len(p.rels)
	n, err := p.parseRelation()
	if err == nil {
		return n, qualifiers{}, nil
	}
	if t.kind != tokLParen {
		return nil, prev, err
	}
	// "(" starts a relation or a parenthesised expression: try both and
	// report the error that got further.
	p.pos, p.rels = start, p.rels[:rels]
	n, q, err2 := p.parseLogicalTerm(prev)
	if err2 == nil {
		return n, q, nil
	}
	var e1, e2 *CompileError
	if errors.As(err, &e1) && errors.As(err2, &e2) && e1.Offset > e2.Offset {
		return nil, prev, err
	}
	return nil, prev, err2
}

// parseLogicalTerm parses a term that is not a relation.
func (p *parser) parseLogicalTerm(prev qualifiers) (*node, qualifiers, error) {
	t := p.peek()
	switch {
	case isNot(t):
		p.next()
		n, q, err := p.parseTerm(prev)
		if err != nil {
			return nil, q, err
		}
		return &node{kind: nodeNot, x: n}, q, nil
	case t.kind == tokLParen:
		p.next()
		n, _, err := p.parseExpr(prev)
		if err != nil {
			return nil, prev, err
		}
		if err := p.expect(tokRParen); err != nil {
			return nil, prev, err
		}
		// libpcap: a parenthesised expression passes on the qualifiers
		// that were in force before its "(".
		return n, prev, nil
	case isKeyword(t, "greater"), isKeyword(t, "less"):
		return p.parseLength()
	case isKeyword(t, "broadcast"), isKeyword(t, "multicast"):
		p.next()
		p.usesEther = true
		prim := primitive{kind: primFixed, abbrev: "ether " + t.text, fixed: fixedEtherBroadcast}
		if t.text == "multicast" {
			prim.fixed = fixedEtherMulticast
		}
		return &node{kind: nodePrim, prim: prim}, qualifiers{}, nil
	case isProtoQual(t) && (isKeyword(p.peekAt(1), "broadcast") || isKeyword(p.peekAt(1), "multicast")):
		return p.parseCast()
	case isKeyword(t, "ether") && !startsQualifiers(p.peekAt(1)):
		nt := p.peekAt(1)
		if nt.kind == tokWord && !nt.escaped && unsupportedKeywords[nt.text] {
			return nil, prev, p.unsupported(p.pos, p.pos+1)
		}
		return nil, prev, p.errAt(nt.offset, "syntax error: unexpected %s after \"ether\" (expected host, src, dst, proto, broadcast, multicast or [)", nt.describe())
	case isProtoQual(t):
		nt := p.peekAt(1)
		i := p.pos
		if nt.kind == tokOther && nt.text == "[" {
			return nil, prev, p.unsupported(i, i)
		}
		if nt.kind == tokWord && !nt.escaped && unsupportedKeywords[nt.text] {
			return nil, prev, p.unsupported(i, i+1)
		}
		if startsQualifiers(nt) {
			return p.parseQualified()
		}
		p.next()
		return &node{kind: nodePrim, prim: p.abbreviation(t.text)}, qualifiers{}, nil
	case startsQualifiers(t):
		return p.parseQualified()
	case isKeyword(t, "vlan"):
		return p.parseVLAN()
	case t.kind == tokWord && !t.escaped && unsupportedKeywords[t.text]:
		i := p.pos
		return nil, prev, p.unsupported(i, i)
	case isValue(t):
		return nil, prev, p.errAt(t.offset, "value %s needs a qualifier such as host, net or port", t.describe())
	}
	return nil, prev, p.unexpected(t)
}

func (p *parser) expect(kind tokenKind) error {
	t := p.peek()
	if t.kind != kind {
		if t.kind == tokEOF {
			return p.errAt(t.offset, "syntax error: missing \")\"")
		}
		return p.unexpected(t)
	}
	p.next()
	return nil
}

// abbreviation builds the primitive for a protocol keyword used alone.
func (p *parser) abbreviation(word string) primitive { return abbreviation(word, p.vlanDepth) }

func abbreviation(word string, depth int) primitive {
	prim := primitive{abbrev: word, depth: depth}
	switch word {
	case "ip":
		prim.kind, prim.etherType = primLinkProto, etherTypeIPv4
	case "ip6":
		prim.kind, prim.etherType = primLinkProto, etherTypeIPv6
	case "arp":
		prim.kind, prim.etherType = primLinkProto, etherTypeARP
	case "icmp":
		prim.kind, prim.proto, prim.number = primProto, protoIP, 1
	case "icmp6":
		prim.kind, prim.proto, prim.number = primProto, protoIP6, 58
	default: // tcp, udp, sctp: over IPv4 and IPv6
		prim.kind, prim.number = primProto, protoNumbers[word]
	}
	return prim
}

func (p *parser) parseVLAN() (*node, qualifiers, error) {
	p.next()
	prim := primitive{kind: primVLAN, depth: p.vlanDepth}
	if t := p.peek(); t.kind == tokWord && !t.escaped && isNumber(t.text) {
		p.next()
		v, err := p.number(t)
		if err != nil {
			return nil, qualifiers{}, err
		}
		if v > 0x0fff {
			return nil, qualifiers{}, p.errAt(t.offset, "VLAN ID %d out of range 0-4095", v)
		}
		prim.number, prim.hasNumber = v, true
	}
	p.vlanDepth++
	p.usesVLAN = true
	return &node{kind: nodePrim, prim: prim}, qualifiers{}, nil
}

// parseQualified parses "[proto] [dir] [addr|proto] value".
func (p *parser) parseQualified() (*node, qualifiers, error) {
	start := p.pos
	q := qualifiers{valid: true}
	if t := p.peek(); isProtoQual(t) {
		q.proto = protoQualByName[t.text]
		p.next()
	}
	hasDir := false
	if t := p.peek(); isKeyword(t, "src") || isKeyword(t, "dst") {
		hasDir = true
		p.next()
		other := "dst"
		q.dir = dirSrc
		if t.text == "dst" {
			other, q.dir = "src", dirDst
		}
		if op := p.peek(); (isAnd(op) || isOr(op)) && isKeyword(p.peekAt(1), other) {
			p.next()
			p.next()
			if isAnd(op) {
				q.dir = dirBoth
			} else {
				q.dir = dirEither
			}
		}
	}
	t := p.peek()
	switch {
	case isKeyword(t, "host"):
		q.addr = addrHost
	case isKeyword(t, "net"):
		q.addr = addrNet
	case isKeyword(t, "port"):
		q.addr = addrPort
	case isKeyword(t, "portrange"):
		q.addr = addrPortRange
	case isKeyword(t, "proto") && !hasDir:
		q.addr = addrProto
	case t.kind == tokWord && !t.escaped && unsupportedKeywords[t.text]:
		return nil, q, p.unsupported(start, p.pos)
	case !hasDir:
		return nil, q, p.unexpected(t)
	}
	if q.addr != addrDefault {
		p.next()
	}
	n, _, err := p.parseID(q, true)
	return n, q, err
}

// parseID parses what libpcap calls an id: a value, "not" id, or ids joined
// by and/or in parentheses, all taking the qualifiers q.
func (p *parser) parseID(q qualifiers, afterQualifiers bool) (*node, qualifiers, error) {
	if err := p.enter(); err != nil {
		return nil, q, err
	}
	defer p.leave()
	t := p.peek()
	switch {
	case isNot(t):
		p.next()
		n, _, err := p.parseID(q, afterQualifiers)
		if err != nil {
			return nil, q, err
		}
		return &node{kind: nodeNot, x: n}, q, nil
	case t.kind == tokLParen:
		p.next()
		left, _, err := p.parseID(q, false)
		if err != nil {
			return nil, q, err
		}
		for {
			op := p.peek()
			kind := nodeAnd
			if isOr(op) {
				kind = nodeOr
			} else if !isAnd(op) {
				break
			}
			p.next()
			right, _, err := p.parseID(q, false)
			if err != nil {
				return nil, q, err
			}
			left = &node{kind: kind, x: left, y: right}
		}
		if err := p.expect(tokRParen); err != nil {
			return nil, q, err
		}
		return left, q, nil
	case isValue(t), afterQualifiers && q.addr == addrProto && t.kind == tokWord && protoNumbers[t.text] != 0:
		n, err := p.parseValue(q)
		return n, q, err
	case t.kind == tokEOF:
		return nil, q, p.errAt(t.offset, "syntax error: expected a value at end of expression")
	case t.kind == tokWord && !t.escaped && unsupportedKeywords[t.text]:
		return nil, q, p.unexpected(t)
	}
	return nil, q, p.errAt(t.offset, "syntax error: unexpected %s, expected a value", t.describe())
}

// parseValue turns one value (with its "/len" or "mask M") into a
// primitive according to the inherited qualifiers q.
func (p *parser) parseValue(q qualifiers) (*node, error) {
	t := p.next()
	if !q.valid {
		return nil, p.errAt(t.offset, "value %s has no qualifier to inherit (write e.g. \"host %s\")", t.describe(), t.text)
	}
	prim := primitive{proto: q.proto, dir: q.dir, depth: p.vlanDepth}
	var err error
	switch q.addr {
	case addrProto:
		err = p.protoValue(q, t, &prim)
	case addrPort, addrPortRange:
		err = p.portValue(q, t, &prim)
	default:
		err = p.addressValue(q, t, &prim)
	}
	if err != nil {
		return nil, err
	}
	return &node{kind: nodePrim, prim: prim}, nil
}

func (p *parser) protoValue(q qualifiers, t token, prim *primitive) error {
	prim.kind = primProto
	if q.proto == protoEther {
		return p.etherProtoValue(t, prim)
	}
	switch q.proto {
	case protoDefault, protoIP, protoIP6:
	default:
		return p.errAt(t.offset, "%q qualifier cannot be used with proto", protoQualNames[q.proto])
	}
	var v uint32
	if isNumber(t.text) {
		n, err := p.number(t)
		if err != nil {
			return err
		}
		if n > 255 {
			return p.errAt(t.offset, "protocol number %d out of range 0-255", n)
		}
		v = n
	} else {
		n, ok := protoNumbers[t.text]
		if !ok {
			return p.errAt(t.offset, "unknown protocol name %s (use a number or one of icmp, icmp6, sctp, tcp, udp)", t.describe())
		}
		v = n
	}
	prim.number = v
	return nil
}

func (p *parser) portValue(q qualifiers, t token, prim *primitive) error {
	prim.kind = primPort
	switch q.proto {
	case protoDefault, protoTCP, protoUDP, protoSCTP:
	default:
		return p.errAt(t.offset, "%q qualifier cannot be used with %s", protoQualNames[q.proto], addrQualNames[q.addr])
	}
	if q.addr == addrPortRange {
		prim.isRange = true
		if lo, hi, ok := strings.Cut(t.text, "-"); ok && !t.escaped {
			if strings.Contains(hi, "-") {
				return p.errAt(t.offset, "invalid port range %s", t.describe())
			}
			a, err := p.port(t, lo)
			if err != nil {
				return err
			}
			b, err := p.port(t, hi)
			if err != nil {
				return err
			}
			if a > b { // libpcap accepts a reversed range
				a, b = b, a
			}
			prim.lo, prim.hi = a, b
			return nil
		}
	}
	v, err := p.port(t, t.text)
	if err != nil {
		return err
	}
	prim.lo, prim.hi = v, v
	return nil
}

func (p *parser) port(t token, s string) (uint16, error) {
	if !isNumber(s) || t.escaped {
		if t.escaped || s == "" || strings.ContainsAny(s, ".:") {
			return 0, p.errAt(t.offset, "invalid port %s", t.describe())
		}
		return 0, p.errAt(t.offset, "unsupported port name %q (service names are not supported; use a number)", s)
	}
	v, err := parseNumber(s)
	if err != nil {
		return 0, p.errAt(t.offset, "invalid port %s", strconv.Quote(s))
	}
	if v > 65535 {
		return 0, p.errAt(t.offset, "port %s out of range 0-65535", strconv.Quote(s))
	}
	return uint16(v), nil
}

func (p *parser) addressValue(q qualifiers, t token, prim *primitive) error {
	if q.proto == protoEther {
		return p.macValue(q, t, prim)
	}
	if _, ok := parseMAC(t.text); ok && !t.escaped {
		return p.errAt(t.offset, "ethernet address %s used in non-ether expression (write \"ether host %s\")", t.describe(), t.text)
	}
	prim.isNet = q.addr == addrNet
	wantsMask := func() bool {
		return p.peek().kind == tokSlash || isKeyword(p.peek(), "mask")
	}
	switch {
	case strings.Contains(t.text, ":") && !t.escaped:
		a, err := netip.ParseAddr(t.text)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return p.errAt(t.offset, "invalid IPv6 address %s", t.describe())
		}
		bits := 128
		if p.peek().kind == tokSlash {
			p.next()
			n := p.next()
			v, err := p.maskLength(n, 128)
			if err != nil {
				return err
			}
			bits = v
			if q.addr != addrNet {
				return p.errAt(t.offset, "mask syntax is only valid with net")
			}
			if netip.PrefixFrom(a, bits).Masked().Addr() != a {
				return p.errAt(t.offset, "non-network bits set in %q", t.text+"/"+n.text)
			}
		}
		switch q.proto {
		case protoDefault, protoIP6:
		default:
			return p.errAt(t.offset, "%q qualifier cannot be used with IPv6 %s %s", protoQualNames[q.proto], addrQualNames[q.addr], t.describe())
		}
		prim.kind, prim.addr6, prim.bits6 = primHost6, a, bits
		return nil
	case isNumber(t.text) && !t.escaped:
		v, err := p.number(t)
		if err != nil {
			return err
		}
		mask := ^uint32(0)
		if q.addr == addrNet {
			// libpcap promotes a short net number: "net 10" is 10.0.0.0/8.
			for v != 0 && v&0xff000000 == 0 {
				v <<= 8
				mask <<= 8
			}
		}
		return p.ipv4(q, t, prim, v, mask)
	case isDottedQuad(t.text) && !t.escaped:
		v, bits, err := p.dotted(t)
		if err != nil {
			return err
		}
		// A short address ("10.1") stands for its network, as in libpcap.
		mask := ^uint32(0) << (32 - bits)
		if bits < 32 {
			prim.isNet = true
		}
		if wantsMask() {
			if q.addr != addrNet {
				return p.errAt(t.offset, "mask syntax is only valid with net")
			}
			written := t.text
			if p.next().kind == tokSlash {
				n := p.next()
				l, err := p.maskLength(n, 32)
				if err != nil {
					return err
				}
				mask = 0
				if l > 0 {
					mask = ^uint32(0) << (32 - l)
				}
				written += "/" + n.text
			} else {
				m := p.next()
				if m.kind != tokWord || m.escaped || !isDottedQuad(m.text) {
					return p.errAt(m.offset, "syntax error: expected an IPv4 netmask after \"mask\", found %s", m.describe())
				}
				mv, _, err := p.dotted(m)
				if err != nil {
					return err
				}
				mask = mv
				written += " mask " + m.text
			}
			if v&^mask != 0 {
				return p.errAt(t.offset, "non-network bits set in %q", written)
			}
		}
		return p.ipv4(q, t, prim, v, mask)
	case !t.escaped && strings.Trim(t.text, "0123456789.") == "":
		return p.errAt(t.offset, "invalid IPv4 address %s", t.describe())
	case !t.escaped && strings.Contains(t.text, "-") && isNumber(strings.SplitN(t.text, "-", 2)[0]):
		return p.errAt(t.offset, "invalid address %s", t.describe())
	}
	return p.errAt(t.offset, "unsupported host name %s (names are not resolved; use an IP address)", t.describe())
}

func (p *parser) ipv4(q qualifiers, t token, prim *primitive, addr, mask uint32) error {
	switch q.proto {
	case protoDefault, protoIP, protoARP:
	case protoIP6:
		return p.errAt(t.offset, "\"ip6\" qualifier cannot be used with IPv4 %s %s", addrQualNames[q.addr], t.describe())
	default:
		return p.errAt(t.offset, "%q qualifier cannot be used with %s", protoQualNames[q.proto], addrQualNames[q.addr])
	}
	prim.kind, prim.addr4, prim.mask4 = primHost4, addr, mask
	return nil
}

func (p *parser) maskLength(n token, max int) (int, error) {
	if n.kind != tokWord || n.escaped || !isNumber(n.text) {
		return 0, p.errAt(n.offset, "syntax error: expected a prefix length after \"/\", found %s", n.describe())
	}
	v, err := parseNumber(n.text)
	if err != nil || v > uint32(max) {
		return 0, p.errAt(n.offset, "prefix length %s out of range 0-%d", strconv.Quote(n.text), max)
	}
	return int(v), nil
}

func (p *parser) number(t token) (uint32, error) {
	v, err := parseNumber(t.text)
	if err != nil {
		return 0, p.errAt(t.offset, "invalid number %s", t.describe())
	}
	return v, nil
}

// dotted parses a dotted IPv4 address of one to four decimal parts and
// returns it left-aligned with the number of bits written.
func (p *parser) dotted(t token) (uint32, int, error) {
	parts := strings.Split(t.text, ".")
	var v uint32
	for _, part := range parts {
		n, err := strconv.ParseUint(part, 10, 8)
		if err != nil {
			return 0, 0, p.errAt(t.offset, "invalid IPv4 address %s", t.describe())
		}
		v = v<<8 | uint32(n)
	}
	bits := 8 * len(parts)
	return v << (32 - bits), bits, nil
}

// isNumber reports whether s is written as a libpcap number: decimal, 0x
// hexadecimal or 0-prefixed octal.
func isNumber(s string) bool {
	if s == "" {
		return false
	}
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		for i := 2; i < len(s); i++ {
			if !strings.ContainsRune("0123456789abcdefABCDEF", rune(s[i])) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseNumber(s string) (uint32, error) {
	v, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, fmt.Errorf("number %q: %w", s, err)
	}
	return uint32(v), nil
}

// isDottedQuad reports whether s looks like an IPv4 address of two to four
// parts ("10.1", "192.168.0.1"); the parts are checked by dotted.
func isDottedQuad(s string) bool {
	dots := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '.':
			if i == 0 || i == len(s)-1 || s[i-1] == '.' {
				return false
			}
			dots++
		case s[i] < '0' || s[i] > '9':
			return false
		}
	}
	return dots >= 1 && dots <= 3
}
