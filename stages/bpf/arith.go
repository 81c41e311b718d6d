package bpf

import (
	"strconv"
	"strings"
)

// arithOp is one node kind of libpcap's arithmetic expressions ("arth").
type arithOp uint8

const (
	arConst arithOp = iota
	arLen           // the frame's length on the wire
	arLoad          // proto[index:size]
	arNeg
	arAdd
	arSub
	arMul
	arDiv
	arMod
	arAnd
	arOr
	arXor
	arLsh
	arRsh
)

var arithOpText = [...]string{arAdd: "+", arSub: "-", arMul: "*", arDiv: "/", arMod: "%", arAnd: "&", arOr: "|", arXor: "^", arLsh: "<<", arRsh: ">>"}

// loadLayer is where the index of proto[index] counts from.
type loadLayer uint8

const (
	layerLink      loadLayer = iota // ether, link: the first byte of the frame
	layerNet                        // ip, ip6, arp: the network-layer header
	layerTransport                  // tcp, udp, sctp, icmp: after the IPv4 header (IHL)
	layerICMP6                      // icmp6: after the fixed IPv6 header
)

// loadProtos are the protocols accepted before "[" and where their index
// counts from; etherType or the abbreviation names the protocol check.
var loadProtos = map[string]loadLayer{
	"ether": layerLink, "link": layerLink, "ip": layerNet, "ip6": layerNet, "arp": layerNet,
	"tcp": layerTransport, "udp": layerTransport, "sctp": layerTransport, "icmp": layerTransport,
	"icmp6": layerICMP6,
}

// arith is an arithmetic expression over packet bytes, as libpcap's BPF
// computes it: unsigned 32-bit, wrapping.
type arith struct {
	op    arithOp
	x, y  *arith // operands; x alone for arNeg, the index for arLoad
	value uint32 // arConst
	proto string // arLoad: the protocol keyword
	size  uint8  // arLoad: 1, 2 or 4 bytes
	depth int    // arLoad: vlan primitives written before it
	// pending is a refusal libpcap's optimizer makes (a divisor or shift
	// amount it knows to be 0 or above 31) if the code is reachable.
	pending *CompileError
	// guard, on a constant folded from an expression that read packet
	// bytes, is that expression's left operand: libpcap generates the
	// protocol tests before its optimizer folds, so they stay.
	guard *arith
}

// constant is a number written in the filter.
func constant(v uint32) *arith { return &arith{op: arConst, value: v} }

// lead is the constant libpcap's code for a starts with (its leftmost
// number as written, before any folding), if it starts with one. libpcap
// checks a divisor or shift amount by that first instruction alone, so
// "x / ether[0]" is a division by zero and "x << (40 ^ ip[1])" a shift by
// more than 31 bits to it, while "x << (1 + ip[40])" is accepted.
func (a *arith) lead() (v uint32, ok bool) {
	for {
		switch {
		case a.guard != nil:
			a = a.guard // folded: what it was folded from
		case a.op == arConst:
			return a.value, true
		case a.op == arLen:
			return 0, false
		default:
			a = a.x // loads start with their index, operators with x
		}
	}
}

// relOp is a comparison between two arithmetic expressions.
type relOp uint8

const (
	relEq relOp = iota
	relNe
	relGt
	relGe
	relLt
	relLe
)

var relOpText = [...]string{"=", "!=", ">", ">=", "<", "<="}

var relOpByText = map[string]relOp{"=": relEq, "==": relEq, "!=": relNe, ">": relGt, ">=": relGe, "<": relLt, "<=": relLe}

// relation is "lhs op rhs"; id numbers it within the filter.
type relation struct {
	op       relOp
	lhs, rhs *arith
}

// namedConstants are libpcap's names for header offsets and field values
// (pcap-filter(7)).
var namedConstants = map[string]uint32{
	"tcpflags": 13, "tcp-fin": 0x01, "tcp-syn": 0x02, "tcp-rst": 0x04, "tcp-push": 0x08,
	"tcp-ack": 0x10, "tcp-urg": 0x20, "tcp-ece": 0x40, "tcp-cwr": 0x80,
	"icmptype": 0, "icmpcode": 1,
	"icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4, "icmp-redirect": 5,
	"icmp-echo": 8, "icmp-routeradvert": 9, "icmp-routersolicit": 10, "icmp-timxceed": 11,
	"icmp-paramprob": 12, "icmp-tstamp": 13, "icmp-tstampreply": 14, "icmp-ireq": 15,
	"icmp-ireqreply": 16, "icmp-maskreq": 17, "icmp-maskreply": 18,
	"icmp6type": 0, "icmp6code": 1,
	"icmp6-destinationunreach": 1, "icmp6-packettoobig": 2, "icmp6-timeexceeded": 3,
	"icmp6-parameterproblem": 4, "icmp6-echo": 128, "icmp6-echoreply": 129,
	"icmp6-multicastlistenerquery": 130, "icmp6-multicastlistenerreportv1": 131,
	"icmp6-multicastlistenerdone": 132, "icmp6-routersolicit": 133, "icmp6-routeradvert": 134,
	"icmp6-neighborsolicit": 135, "icmp6-neighboradvert": 136, "icmp6-redirect": 137,
	"icmp6-routerrenum": 138, "icmp6-nodeinformationquery": 139, "icmp6-nodeinformationresponse": 140,
	"icmp6-ineighbordiscoverysolicit": 141, "icmp6-ineighbordiscoveryadvert": 142,
	"icmp6-multicastlistenerreportv2": 143, "icmp6-homeagentdiscoveryrequest": 144,
	"icmp6-homeagentdiscoveryreply": 145, "icmp6-mobileprefixsolicit": 146,
	"icmp6-mobileprefixadvert": 147, "icmp6-certpathsolicit": 148, "icmp6-certpathadvert": 149,
	"icmp6-multicastrouteradvert": 151, "icmp6-multicastroutersolicit": 152,
	"icmp6-multicastrouterterm": 153,
}

func isOp(t token, text string) bool { return t.kind == tokOther && t.text == text }

func isRelOp(t token) bool {
	_, ok := relOpByText[t.text]
	return t.kind == tokOther && ok
}

// startsArith reports whether the term at t may be a relation. A number
// or a name starts one only when an operator follows; "(" may start
// either kind of term, so the caller backtracks.
func (p *parser) startsArith(t token) bool {
	if t.kind == tokLParen || isOp(t, "-") {
		return true
	}
	if t.kind != tokWord || t.escaped {
		return false
	}
	nt := p.peekAt(1)
	if _, ok := loadProtos[t.text]; ok && isOp(nt, "[") {
		return true
	}
	if t.text == "len" {
		return true
	}
	_, named := namedConstants[t.text]
	return (isNumber(t.text) || named) && (nt.kind == tokOther || nt.kind == tokSlash)
}

// parseRelation parses "arth relop arth".
func (p *parser) parseRelation() (*node, error) {
	lhs, err := p.parseArith()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if !isRelOp(t) {
		if t.kind == tokEOF {
			return nil, p.errAt(t.offset, "syntax error: expected a comparison (=, !=, <, <=, >, >=) at end of expression")
		}
		return nil, p.errAt(t.offset, "syntax error: unexpected %s, expected a comparison (=, !=, <, <=, >, >=)", t.describe())
	}
	p.next()
	rhs, err := p.parseArith()
	if err != nil {
		return nil, err
	}
	return p.relationNode(relOpByText[t.text], lhs, rhs), nil
}

func (p *parser) relationNode(op relOp, lhs, rhs *arith) *node {
	r := &relation{op: op, lhs: lhs, rhs: rhs}
	// The same relation written twice is one value to libpcap's optimizer,
	// which then knows the second outcome from the first.
	key := r.key()
	for i, old := range p.rels {
		if old.key() == key {
			return &node{kind: nodePrim, prim: primitive{kind: primRelation, number: uint32(i), rel: old}}
		}
	}
	p.rels = append(p.rels, r)
	return &node{kind: nodePrim, prim: primitive{kind: primRelation, number: uint32(len(p.rels) - 1), rel: r}}
}

// Binary operators by precedence level, loosest first, as libpcap's
// grammar declares them. "^" has no declared precedence there, so yacc
// always shifts it: it takes the operand just before it and the whole
// expression after it (parseUnary handles it).
var arithLevels = [][]string{{"|"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"}}

var arithOpByText = map[string]arithOp{"+": arAdd, "-": arSub, "*": arMul, "/": arDiv, "%": arMod, "&": arAnd, "|": arOr, "^": arXor, "<<": arLsh, ">>": arRsh}

func (p *parser) parseArith() (*arith, error) { return p.parseArithLevel(0) }

func (p *parser) parseArithLevel(level int) (*arith, error) {
	if level == len(arithLevels) {
		return p.parseUnary()
	}
	x, err := p.parseArithLevel(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		text := t.text
		if t.kind == tokSlash {
			text = "/"
		} else if t.kind != tokOther {
			return x, nil
		}
		found := false
		for _, op := range arithLevels[level] {
			found = found || op == text
		}
		if !found {
			return x, nil
		}
		p.next()
		y, err := p.parseArithLevel(level + 1)
		if err != nil {
			return nil, err
		}
		if x, err = p.binary(t, arithOpByText[text], x, y); err != nil {
			return nil, err
		}
	}
}

// binary builds x op y, folding constants as libpcap does, and refuses
// what libpcap refuses: a division or modulus by zero and a shift by more
// than 31 bits.
//
// libpcap checks twice. When it generates code it looks only at the first
// instruction of the divisor or shift amount (see arith.lead). Its
// optimizer then knows which values are constants and rewrites: a constant
// right operand becomes an immediate (a shift by more than 31 and a
// division by 0 are refused there; "x + 0", "x | 0", "x ^ 0" and shifts by
// 0 are x; "x * 0" and "x & 0" are 0), and a left operand known to be 0
// makes "0 * y", "0 / y", "0 % y", "0 & y" and shifts of 0 the constant 0
// and "0 + y", "0 | y", "0 ^ y" just y. Where a result is a constant, the
// loads of the operand it no longer needs are deleted, so they cannot
// reject a short frame: folding them away here gives libpcap's verdicts.
func (p *parser) binary(t token, op arithOp, x, y *arith) (*arith, error) {
	refusal := func() *CompileError {
		msg := "shift by more than 31 bits"
		switch op {
		case arDiv:
			msg = "division by zero"
		case arMod:
			msg = "modulus by zero"
		}
		return p.errAt(t.offset, "%s", msg).(*CompileError)
	}
	shift := op == arLsh || op == arRsh
	if lead, ok := y.lead(); ok && ((op == arDiv || op == arMod) && lead == 0 || shift && lead > 31) {
		return nil, refusal()
	}
	// The optimizer's refusals wait: libpcap makes them only where the
	// code is reachable (compile checks the relations that stay).
	pending := x.pending
	if pending == nil {
		pending = y.pending
	}
	folded := func(v uint32) *arith {
		return &arith{op: arConst, value: v, guard: x, pending: pending}
	}
	if y.op == arConst {
		if (op == arDiv || op == arMod) && y.value == 0 && pending == nil {
			pending = refusal()
		}
		if x.op == arConst {
			v, _ := (&arith{op: op, x: x, y: y}).eval(nil, nil, 0)
			return folded(v), nil
		}
		if shift && y.value > 31 && pending == nil {
			pending = refusal()
		}
		if y.value == 0 && (op == arMul || op == arAnd) {
			return folded(0), nil
		}
	} else if x.op == arConst && x.value == 0 {
		switch op {
		case arMul, arDiv, arMod, arAnd, arLsh, arRsh:
			return folded(0), nil
		}
	}
	// "x + 0", "0 + y" and the like libpcap also simplifies, but to a value
	// that is computed, from the same loads, as written: nothing to fold.
	return &arith{op: op, x: x, y: y, pending: pending}, nil
}

// parseUnary parses a primary, "-" unary and "primary ^ arth". Like each
// "(" and "[", they count as nesting, which bounds the recursion.
func (p *parser) parseUnary() (*arith, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	t := p.peek()
	var x *arith
	var err error
	if isOp(t, "-") {
		p.next()
		if x, err = p.parseUnary(); err != nil {
			return nil, err
		}
		if x.op == arConst {
			return &arith{op: arConst, value: -x.value, guard: x, pending: x.pending}, nil
		}
		return &arith{op: arNeg, x: x, pending: x.pending}, nil
	}
	if x, err = p.parsePrimary(); err != nil {
		return nil, err
	}
	if t := p.peek(); isOp(t, "^") {
		p.next()
		y, err := p.parseArith()
		if err != nil {
			return nil, err
		}
		return p.binary(t, arXor, x, y)
	}
	return x, nil
}

// splitWord cuts the word at p.pos before its first ':' or '-' (the lexer
// keeps "6:2" and "len-2" whole, as they may be an IPv6 address or a port
// range elsewhere) into word, operator, rest.
func (p *parser) splitWord() bool {
	t := p.toks[p.pos]
	i := strings.IndexAny(t.text, ":-")
	if t.kind != tokWord || t.escaped || i < 0 || len(t.text) == 1 {
		return false
	}
	// "tcp[tcp-ack:1]": a named constant holds a '-' of its own.
	if j := strings.IndexByte(t.text, ':'); j > i {
		if _, named := namedConstants[t.text[:j]]; named {
			i = j
		}
	}
	var parts []token
	if i > 0 {
		parts = append(parts, token{kind: tokWord, text: t.text[:i], offset: t.offset})
	}
	parts = append(parts, token{kind: tokOther, text: t.text[i : i+1], offset: t.offset + i})
	if i+1 < len(t.text) {
		parts = append(parts, token{kind: tokWord, text: t.text[i+1:], offset: t.offset + i + 1})
	}
	rest := append(parts, p.toks[p.pos+1:]...)
	p.toks = append(p.toks[:p.pos], rest...)
	return true
}

func (p *parser) parsePrimary() (*arith, error) {
	t := p.peek()
	switch {
	case t.kind == tokLParen:
		p.next()
		x, err := p.parseArith()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tokRParen); err != nil {
			return nil, err
		}
		return x, nil
	case t.kind != tokWord || t.escaped:
		return nil, p.errAt(t.offset, "syntax error: unexpected %s, expected a number, len or proto[offset]", t.describe())
	case t.text == "len":
		p.next()
		return &arith{op: arLen}, nil
	}
	if v, ok := namedConstants[t.text]; ok {
		p.next()
		return constant(v), nil
	}
	if _, ok := loadProtos[t.text]; ok && isOp(p.peekAt(1), "[") {
		return p.parseLoad()
	}
	if isNumber(t.text) {
		p.next()
		v, err := p.number(t)
		if err != nil {
			return nil, err
		}
		return constant(v), nil
	}
	if p.splitWord() {
		return p.parsePrimary()
	}
	if unsupportedKeywords[t.text] && isOp(p.peekAt(1), "[") {
		return nil, p.errAt(t.offset, "unsupported packet-data accessor %s[...] (supported: ether, link, ip, ip6, arp, tcp, udp, sctp, icmp, icmp6)", t.describe())
	}
	return nil, p.errAt(t.offset, "syntax error: unexpected %s, expected a number, len or proto[offset]", t.describe())
}

// parseLoad parses proto[index] and proto[index:size].
func (p *parser) parseLoad() (*arith, error) {
	proto := p.next().text
	p.next() // [
	index, err := p.parseArith()
	if err != nil {
		return nil, err
	}
	size := uint8(1)
	if t := p.peek(); t.kind == tokWord && !t.escaped && t.text == ":" {
		p.toks[p.pos] = token{kind: tokOther, text: ":", offset: t.offset}
	} else if t.kind == tokWord && !t.escaped && t.text[0] == ':' {
		p.splitWord() // "[x :2]" lexes ":2" as one word
	}
	if isOp(p.peek(), ":") {
		p.next()
		st := p.peek()
		if st.kind != tokWord || st.escaped || !isNumber(st.text) {
			return nil, p.errAt(st.offset, "syntax error: expected a size (1, 2 or 4) after \":\", found %s", st.describe())
		}
		p.next()
		v, err := p.number(st)
		if err != nil {
			return nil, err
		}
		if v != 1 && v != 2 && v != 4 {
			return nil, p.errAt(st.offset, "data size must be 1, 2, or 4, not %d", v)
		}
		size = uint8(v)
	}
	if t := p.peek(); !isOp(t, "]") {
		if t.kind == tokEOF {
			return nil, p.errAt(t.offset, "syntax error: missing \"]\"")
		}
		return nil, p.errAt(t.offset, "syntax error: unexpected %s, expected \"]\"", t.describe())
	}
	p.next()
	return &arith{op: arLoad, x: index, proto: proto, size: size, depth: p.vlanDepth, pending: index.pending}, nil
}

// eval computes a on one frame. ok is false when a load falls outside the
// frame or a divisor is zero: BPF then rejects the frame.
func (a *arith) eval(l *linkLayout, data []byte, wireLen uint32) (uint32, bool) {
	switch a.op {
	case arConst:
		return a.value, true
	case arLen:
		return wireLen, true
	case arLoad:
		index, ok := a.x.eval(l, data, wireLen)
		if !ok {
			return 0, false
		}
		base, ok := a.base(l, data)
		if !ok {
			return 0, false
		}
		off := int64(base) + int64(index)
		if off > int64(len(data)) {
			return 0, false
		}
		return load(data, int(off), int(a.size))
	case arNeg:
		v, ok := a.x.eval(l, data, wireLen)
		return -v, ok
	}
	x, ok := a.x.eval(l, data, wireLen)
	if !ok {
		return 0, false
	}
	y, ok := a.y.eval(l, data, wireLen)
	if !ok {
		return 0, false
	}
	switch a.op {
	case arAdd:
		return x + y, true
	case arSub:
		return x - y, true
	case arMul:
		return x * y, true
	case arDiv:
		if y == 0 {
			return 0, false
		}
		return x / y, true
	case arMod:
		if y == 0 {
			return 0, false
		}
		return x % y, true
	case arAnd:
		return x & y, true
	case arOr:
		return x | y, true
	case arXor:
		return x ^ y, true
	case arLsh:
		if y > 31 { // libpcap's interpreter: a shift of 32 or more gives 0
			return 0, true
		}
		return x << y, true
	}
	if y > 31 {
		return 0, true
	}
	return x >> y, true
}

// base is the offset in the frame that a load's index counts from.
func (a *arith) base(l *linkLayout, data []byte) (int, bool) {
	net := l.netOffset + a.depth*vlanTagLen
	switch loadProtos[a.proto] {
	case layerLink:
		return 0, true
	case layerTransport:
		ihl, ok := load(data, net, 1)
		return net + int(ihl&0x0f)*4, ok
	case layerICMP6:
		return net + 40, true
	}
	return net, true
}

func (r *relation) holds(l *linkLayout, data []byte, wireLen uint32) (ok, inBounds bool) {
	x, inBounds := r.lhs.eval(l, data, wireLen)
	if !inBounds {
		return false, false
	}
	y, inBounds := r.rhs.eval(l, data, wireLen)
	if !inBounds {
		return false, false
	}
	switch r.op {
	case relEq:
		return x == y, true
	case relNe:
		return x != y, true
	case relGt:
		return x > y, true
	case relGe:
		return x >= y, true
	case relLt:
		return x < y, true
	}
	return x <= y, true
}

func (a *arith) write(b *strings.Builder) {
	switch a.op {
	case arConst:
		if a.guard != nil && a.guard.readsPacket() {
			// Written so that it parses back to the same guarded constant.
			root := a.guard
			for root.op == arConst && root.guard != nil {
				root = root.guard
			}
			b.WriteString("((")
			root.write(b)
			b.WriteString(" * 0) + " + strconv.FormatUint(uint64(a.value), 10) + ")")
			return
		}
		if lead, ok := a.lead(); ok && ((lead == 0) != (a.value == 0) || (lead > 31) != (a.value > 31)) {
			// A folded constant written out keeps the first number
			// libpcap's checks look at (see binary), where writing the
			// value alone would change what they say.
			b.WriteString("(" + strconv.FormatUint(uint64(lead), 10) + " - " + strconv.FormatUint(uint64(lead-a.value), 10) + ")")
			return
		}
		b.WriteString(strconv.FormatUint(uint64(a.value), 10))
	case arLen:
		b.WriteString("len")
	case arLoad:
		b.WriteString(a.proto)
		b.WriteByte('[')
		a.x.write(b)
		b.WriteByte(':')
		b.WriteByte('0' + a.size)
		b.WriteByte(']')
	case arNeg:
		b.WriteString("(-")
		a.x.write(b)
		b.WriteByte(')')
	default:
		b.WriteByte('(')
		a.x.write(b)
		b.WriteByte(' ')
		b.WriteString(arithOpText[a.op])
		b.WriteByte(' ')
		a.y.write(b)
		b.WriteByte(')')
	}
}

// readsPacket reports whether the protocol tests of a are not empty: it,
// or what it was folded from, loads packet bytes on its left-most path.
func (a *arith) readsPacket() bool {
	for ; a != nil; a = a.x {
		if a.guard != nil {
			return a.guard.readsPacket()
		}
		if a.op == arLoad {
			return true
		}
		if a.op == arConst || a.op == arLen {
			return false
		}
	}
	return false
}

// key identifies a relation with the vlan depth of each load.
func (r *relation) key() string {
	var b strings.Builder
	r.write(&b)
	var depths func(a *arith)
	depths = func(a *arith) {
		if a == nil {
			return
		}
		if a.op == arLoad {
			b.WriteString(" " + strconv.Itoa(a.depth))
		}
		depths(a.x)
		depths(a.y)
	}
	depths(r.lhs)
	depths(r.rhs)
	return b.String()
}

func (r *relation) write(b *strings.Builder) {
	r.lhs.write(b)
	b.WriteByte(' ')
	b.WriteString(relOpText[r.op])
	b.WriteByte(' ')
	r.rhs.write(b)
}

// etherTypeOfLoad is the network protocol a network-layer load checks.
var etherTypeOfLoad = map[string]uint16{"ip": etherTypeIPv4, "ip6": etherTypeIPv6, "arp": etherTypeARP}

// checks appends the protocol tests that guard the loads of a, in the
// order libpcap generates them: an index's tests come before those of the
// load it indexes; a transport-layer load tests IPv4 first, then its
// index, its protocol and that the datagram is a first fragment; a binary
// operator passes on its left operand's tests only.
func (lw lowering) checks(a *arith, out []*cond) []*cond {
	if a.guard != nil {
		return lw.checks(a.guard, out)
	}
	switch a.op {
	case arConst, arLen:
		return out
	case arNeg:
		return lw.checks(a.x, out)
	case arLoad:
		d := a.depth
		switch loadProtos[a.proto] {
		case layerLink:
			return lw.checks(a.x, out)
		case layerNet:
			return append(lw.checks(a.x, out), lw.linkProto(etherTypeOfLoad[a.proto], d))
		case layerICMP6:
			return append(lw.checks(a.x, out), lw.linkProto(etherTypeIPv6, d), netField(d, 6, 1, 0xff, cmpEq, 58))
		}
		out = lw.checks(a.x, append(out, lw.linkProto(etherTypeIPv4, d)))
		proto := abbreviation(a.proto, d)
		return append(out, lw.primCond(&proto), netField(d, 6, 2, 0x1fff, cmpEq, 0))
	}
	// libpcap 1.10 keeps only the left operand's protocol tests for a
	// binary operator (gen_arth drops the right one's): "ip[16] + udp[0]"
	// tests IPv4 but not UDP, and tcpdump accepts TCP frames for it.
	return lw.checks(a.x, out)
}

func (lw lowering) relationCond(p *primitive) *cond {
	r := p.rel
	cs := lw.checks(r.rhs, lw.checks(r.lhs, nil))
	return and(append(cs, relationTest(r, int32(p.number)))...)
}

// relationTest is the comparison itself. One of a single load (masked
// or not) with a constant becomes a field test as libpcap's optimizer
// reduces it, so that it shares facts with the tests of other primitives.
func relationTest(r *relation, number int32) *cond {
	if r.lhs.pending != nil || r.rhs.pending != nil {
		// Kept as a relation, so that compile sees whether it is reached.
		return &cond{kind: condTest, test: insn{kind: testRelation, offset: number}}
	}
	if r.lhs.op == arConst && r.rhs.op == arConst {
		if ok, _ := r.holds(nil, nil, 0); ok {
			return &cond{kind: condTrue}
		}
		return &cond{kind: condFalse}
	}
	generic := &cond{kind: condTest, test: insn{kind: testRelation, offset: number}}
	if r.rhs.op != arConst {
		return generic
	}
	ld, mask := r.lhs, uint32(0xffffffff)
	if ld.op == arAnd && ld.y.op == arConst {
		ld, mask = ld.x, ld.y.value
	}
	if ld.op != arLoad || ld.x.op != arConst || ld.x.value >= 1<<20 {
		return generic
	}
	if ld.size < 4 {
		mask &= uint32(1)<<(8*uint(ld.size)) - 1
	}
	op, negate := cmpEq, false
	switch r.op {
	case relNe:
		negate = true
	case relGt:
		op = cmpGT
	case relGe:
		op = cmpGE
	case relLt:
		op, negate = cmpGE, true
	case relLe:
		op, negate = cmpGT, true
	}
	off := int32(ld.x.value)
	var c *cond
	switch loadProtos[ld.proto] {
	case layerLink:
		c = field(testLinkField, 0, off, ld.size, mask, op, r.rhs.value)
	case layerNet:
		c = field(testNetField, ld.depth, off, ld.size, mask, op, r.rhs.value)
	case layerICMP6:
		c = field(testNetField, ld.depth, 40+off, ld.size, mask, op, r.rhs.value)
	default:
		c = field(testTransportField, ld.depth, off, ld.size, mask, op, r.rhs.value)
	}
	if negate {
		return &cond{kind: condNot, x: c}
	}
	return c
}
