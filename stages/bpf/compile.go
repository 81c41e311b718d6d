package bpf

import "strings"

// EtherTypes libpcap uses to name network protocols on every link type.
const (
	etherTypeIPv4   = 0x0800
	etherTypeARP    = 0x0806
	etherTypeRARP   = 0x8035
	etherTypeIPv6   = 0x86dd
	etherType8021Q  = 0x8100
	etherType8021AD = 0x88a8
	etherTypeQinQ   = 0x9100 // pre-standard QinQ tag libpcap also accepts
)

// IP protocol numbers with a meaning in the generated tests.
const (
	ipProtoTCP      = 6
	ipProtoUDP      = 17
	ipProtoFragment = 44 // IPv6 fragment header
	ipProtoSCTP     = 132
)

// testKind says which part of a frame an instruction reads.
type testKind uint8

const (
	// testLinkProto: the link layer says the network protocol is the
	// EtherType in value (how it says so depends on the link type).
	testLinkProto testKind = iota
	// testVLANID: the 12-bit VLAN ID of the tag at depth equals value.
	testVLANID
	// testAddressFamily: the link layer's 32-bit BSD address family is
	// value (NULL: in either byte order; LOOP: big-endian).
	testAddressFamily
	// testNetField: a field at offset in the network-layer header.
	testNetField
	// testTransportField: a field at offset in the header after an IPv4
	// header, whose length comes from the IHL nibble.
	testTransportField
	// testLinkField: a field at offset from the start of the frame.
	testLinkField
	// testRelation: the filter's relation number offset holds (cmp and
	// value are unused).
	testRelation
)

type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpGE
	cmpLE
	cmpGT
)

// Jump targets beyond the program: the filter's verdict.
const (
	targetAccept int32 = -1
	targetReject int32 = -2
)

// insn is one test of the compiled program. Like a BPF instruction it
// loads (size bytes, big-endian, ANDed with mask), compares with value
// and jumps to jt or jf; a load past the end of the frame rejects the
// frame outright, as it does in BPF.
type insn struct {
	kind   testKind
	cmp    cmpOp
	size   uint8
	depth  int32 // VLAN tags before the link-layer protocol field
	offset int32
	mask   uint32
	value  uint32
	jt, jf int32
}

type condKind uint8

const (
	condTrue condKind = iota
	condFalse
	condTest
	condAnd
	condOr
	condNot
)

// cond is the boolean form of a primitive, built from tests in the order
// libpcap's generated code performs them (which matters, because a load
// past the end of the frame ends evaluation).
type cond struct {
	kind condKind
	x, y *cond
	test insn
}

func and(cs ...*cond) *cond { return fold(condAnd, cs) }
func or(cs ...*cond) *cond  { return fold(condOr, cs) }

func fold(kind condKind, cs []*cond) *cond {
	c := cs[len(cs)-1]
	for i := len(cs) - 2; i >= 0; i-- {
		c = &cond{kind: kind, x: cs[i], y: c}
	}
	return c
}

// linkModel is how a group of link types names the network protocol. The
// program is lowered once per model because libpcap generates different
// code for each, and its optimizer folds what is constant there ("ip" on
// LINKTYPE_IPV4, "arp" on raw IP) and uses what each comparison tells.
type linkModel uint8

const (
	modelTypeField     linkModel = iota // a protocol field: Ethernet, SLL, SLL2, Cisco HDLC, PPP
	modelAddressFamily                  // a BSD address family: NULL, LOOP
	modelVersionNibble                  // no header, the IP version tells: raw IP
	modelOnlyIPv4                       // LINKTYPE_IPV4
	modelOnlyIPv6                       // LINKTYPE_IPV6
	linkModels
)

// BSD address families: AF_INET is 2 everywhere; AF_INET6 differs between
// Darwin (30), the other BSDs (24) and FreeBSD (28), and libpcap accepts
// all three, tested in that order, in a capture file.
const afInet = 2

var afInet6Values = [...]uint32{30, 24, 28}

// lowering turns the parsed expression into conditions for one link model.
type lowering struct{ model linkModel }

func (lw lowering) linkProto(etherType uint16, depth int) *cond {
	test := func(kind testKind, value uint32) *cond {
		return &cond{kind: condTest, test: insn{kind: kind, depth: int32(depth), value: value}}
	}
	constant := func(ok bool) *cond {
		if ok {
			return &cond{kind: condTrue}
		}
		return &cond{kind: condFalse}
	}
	switch lw.model {
	case modelAddressFamily:
		switch etherType {
		case etherTypeIPv4:
			return test(testAddressFamily, afInet)
		case etherTypeIPv6:
			cs := make([]*cond, len(afInet6Values))
			for i, af := range afInet6Values {
				cs[i] = test(testAddressFamily, af)
			}
			return or(cs...)
		}
		return constant(false)
	case modelVersionNibble:
		if etherType != etherTypeIPv4 && etherType != etherTypeIPv6 {
			return constant(false)
		}
	case modelOnlyIPv4:
		return constant(etherType == etherTypeIPv4)
	case modelOnlyIPv6:
		return constant(etherType == etherTypeIPv6)
	}
	return test(testLinkProto, uint32(etherType))
}

func netField(depth int, offset int32, size uint8, mask uint32, op cmpOp, value uint32) *cond {
	if mask == 0 && op == cmpEq && value == 0 {
		// libpcap's optimizer folds a fully masked comparison ("net
		// 0.0.0.0/0", the unmasked words of an IPv6 prefix) to true and
		// drops its load, so a short frame is not rejected for it.
		return &cond{kind: condTrue}
	}
	return &cond{kind: condTest, test: insn{kind: testNetField, depth: int32(depth), offset: offset, size: size, mask: mask, cmp: op, value: value}}
}

func transportField(depth int, offset int32, op cmpOp, value uint32) *cond {
	return field(testTransportField, depth, offset, 2, 0xffff, op, value)
}

// field is a test of a loaded, masked value; a zero mask makes the value
// a constant 0, which libpcap's optimizer folds together with its load.
func field(kind testKind, depth int, offset int32, size uint8, mask uint32, op cmpOp, value uint32) *cond {
	if mask == 0 {
		if compare(0, op, value) {
			return &cond{kind: condTrue}
		}
		return &cond{kind: condFalse}
	}
	return &cond{kind: condTest, test: insn{kind: kind, depth: int32(depth), offset: offset, size: size, mask: mask, cmp: op, value: value}}
}

// toCond lowers the parsed expression.
func (lw lowering) toCond(n *node) *cond {
	switch n.kind {
	case nodeAnd:
		return and(lw.toCond(n.x), lw.toCond(n.y))
	case nodeOr:
		return or(lw.toCond(n.x), lw.toCond(n.y))
	case nodeNot:
		return &cond{kind: condNot, x: lw.toCond(n.x)}
	}
	return lw.primCond(&n.prim)
}

func (lw lowering) primCond(p *primitive) *cond {
	d := p.depth
	switch p.kind {
	case primLinkProto:
		return lw.linkProto(p.etherType, d)
	case primProto:
		v4 := and(lw.linkProto(etherTypeIPv4, d), netField(d, 9, 1, 0xff, cmpEq, p.number))
		// Over IPv6 libpcap also accepts the protocol behind one fragment
		// header, but walks no other extension header.
		v6 := and(lw.linkProto(etherTypeIPv6, d), or(
			netField(d, 6, 1, 0xff, cmpEq, p.number),
			and(netField(d, 6, 1, 0xff, cmpEq, ipProtoFragment), netField(d, 40, 1, 0xff, cmpEq, p.number))))
		switch p.proto {
		case protoIP:
			return v4
		case protoIP6:
			return v6
		}
		return or(v4, v6)
	case primHost4:
		check := func(off int32) *cond { return netField(d, off, 4, p.mask4, cmpEq, p.addr4&p.mask4) }
		ip := and(lw.linkProto(etherTypeIPv4, d), directed(p.dir, check(12), check(16)))
		// ARP and RARP carry the sender and target protocol addresses at
		// 14 and 24 (for Ethernet/IPv4 hardware and protocol sizes).
		arp := and(lw.linkProto(etherTypeARP, d), directed(p.dir, check(14), check(24)))
		rarp := and(lw.linkProto(etherTypeRARP, d), directed(p.dir, check(14), check(24)))
		switch p.proto {
		case protoIP:
			return ip
		case protoARP:
			return arp
		}
		return or(ip, arp, rarp)
	case primHost6:
		a := p.addr6.As16()
		var m [16]byte
		for i := 0; i < p.bits6; i++ {
			m[i/8] |= 0x80 >> (i % 8)
		}
		check := func(off int32) *cond {
			words := make([]*cond, 4)
			for w := range words {
				mask := be32(m[4*w:])
				words[w] = netField(d, off+int32(4*w), 4, mask, cmpEq, be32(a[4*w:])&mask)
			}
			return and(words...)
		}
		return and(lw.linkProto(etherTypeIPv6, d), directed(p.dir, check(8), check(24)))
	case primPort:
		inRange := func(field func(cmpOp, uint32) *cond) *cond {
			if !p.isRange {
				return field(cmpEq, uint32(p.lo))
			}
			return and(field(cmpGE, uint32(p.lo)), field(cmpLE, uint32(p.hi)))
		}
		v4port := func(off int32) *cond {
			return inRange(func(op cmpOp, v uint32) *cond { return transportField(d, off, op, v) })
		}
		v6port := func(off int32) *cond {
			return inRange(func(op cmpOp, v uint32) *cond { return netField(d, 40+off, 2, 0xffff, op, v) })
		}
		// One protocol test and one copy of the port tests per transport
		// protocol, in libpcap's order (SCTP, TCP, UDP): its optimizer
		// works on these copies, so a later "or udp" can make the UDP copy
		// of the port tests (and their loads) disappear.
		var v4s, v6s []*cond
		for _, proto := range []struct {
			qual   protoQual
			number uint32
		}{{protoSCTP, ipProtoSCTP}, {protoTCP, ipProtoTCP}, {protoUDP, ipProtoUDP}} {
			if p.proto != protoDefault && p.proto != proto.qual {
				continue
			}
			// IPv4: only the first fragment (offset 0) carries the ports.
			v4s = append(v4s, and(netField(d, 9, 1, 0xff, cmpEq, proto.number), netField(d, 6, 2, 0x1fff, cmpEq, 0),
				directed(p.dir, v4port(0), v4port(2))))
			// IPv6: the fixed header's next header only, no extension headers.
			v6s = append(v6s, and(netField(d, 6, 1, 0xff, cmpEq, proto.number), directed(p.dir, v6port(0), v6port(2))))
		}
		// libpcap tests IPv6 first here (and IPv4 first for proto); the
		// order decides which facts its optimizer knows on NULL links.
		return or(and(lw.linkProto(etherTypeIPv6, d), or(v6s...)), and(lw.linkProto(etherTypeIPv4, d), or(v4s...)))
	case primRelation:
		return lw.relationCond(p)
	case primEther:
		mac := p.mac
		check := func(off int32) *cond {
			return and(field(testLinkField, 0, off+2, 4, 0xffffffff, cmpEq, be32(mac[2:])),
				field(testLinkField, 0, off, 2, 0xffff, cmpEq, uint32(mac[0])<<8|uint32(mac[1])))
		}
		return directed(p.dir, check(6), check(0))
	case primFixed:
		switch p.fixed {
		case fixedEtherBroadcast:
			return and(field(testLinkField, 0, 2, 4, 0xffffffff, cmpEq, 0xffffffff), field(testLinkField, 0, 0, 2, 0xffff, cmpEq, 0xffff))
		case fixedEtherMulticast:
			return &cond{kind: condNot, x: field(testLinkField, 0, 0, 1, 1, cmpEq, 0)}
		case fixedIPBroadcast:
			return and(lw.linkProto(etherTypeIPv4, d), or(netField(d, 16, 4, 0xffffffff, cmpEq, 0), netField(d, 16, 4, 0xffffffff, cmpEq, 0xffffffff)))
		case fixedIPMulticast:
			return and(lw.linkProto(etherTypeIPv4, d), netField(d, 16, 1, 0xff, cmpGE, 224))
		}
		return and(lw.linkProto(etherTypeIPv6, d), netField(d, 24, 1, 0xff, cmpEq, 255))
	case primVLAN:
		tpid := or(lw.linkProto(etherType8021Q, d), lw.linkProto(etherType8021AD, d), lw.linkProto(etherTypeQinQ, d))
		if !p.hasNumber {
			return tpid
		}
		return and(tpid, &cond{kind: condTest, test: insn{kind: testVLANID, depth: int32(d), size: 2, mask: 0x0fff, value: p.number}})
	}
	return &cond{kind: condFalse}
}

// directed combines the source and destination tests as the direction
// qualifier asks.
func directed(dir dirQual, src, dst *cond) *cond {
	switch dir {
	case dirSrc:
		return src
	case dirDst:
		return dst
	case dirBoth:
		return and(src, dst)
	}
	return or(src, dst)
}

// be32 reads a big-endian word, for the words of an IPv6 address.
func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// program collects the tests of one lowered expression.
type program struct{ insns []insn }

// emit flattens c into tests whose outcomes jump to jt or jf, emitting
// each operand after its successors so that every jump goes to a lower
// index and evaluation always ends. It returns c's entry: an index, or a
// verdict when c is constant.
func (pr *program) emit(c *cond, jt, jf int32) int32 {
	switch c.kind {
	case condTrue:
		return jt
	case condFalse:
		return jf
	case condNot:
		return pr.emit(c.x, jf, jt)
	case condAnd:
		return pr.emit(c.x, pr.emit(c.y, jt, jf), jf)
	case condOr:
		return pr.emit(c.x, jt, pr.emit(c.y, jt, jf))
	}
	in := c.test
	in.jt, in.jf = jt, jf
	pr.insns = append(pr.insns, in)
	return int32(len(pr.insns) - 1)
}

// Compile parses expr, a libpcap filter expression in this package's
// subset, and returns the filter. An empty expression matches every frame.
func Compile(expr string) (*Filter, error) {
	return compile(expr, true)
}

// compile is Compile with the optimizer optional, so that tests can check
// that optimizing never changes the verdict on a frame long enough for
// every field the filter reads.
func compile(expr string, optimized bool) (*Filter, error) {
	if strings.TrimSpace(expr) == "" {
		return &Filter{matchAll: true}, nil
	}
	n, p, err := parse(expr)
	if err != nil {
		return nil, err
	}
	f := &Filter{expr: n.String(), usesVLAN: p.usesVLAN, usesEther: p.usesEther, rels: p.rels}
	for model := range linkModels {
		var pr program
		entry := pr.emit(lowering{model: model}.toCond(n), targetAccept, targetReject)
		if optimized {
			f.programs[model].insns, f.programs[model].entry = optimize(pr.insns, entry)
		} else {
			f.programs[model].insns, f.programs[model].entry = pr.insns, entry
		}
	}
	if optimized {
		if err := f.optimizerRefusal(); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// optimizerRefusal is the first refusal libpcap's optimizer would make in
// a relation that some link type's program still evaluates (arith.pending):
// libpcap never looks at code it has found unreachable.
func (f *Filter) optimizerRefusal() error {
	var first *CompileError
	for model := range f.programs {
		pr := &f.programs[model]
		for _, pc := range topoOrder(pr.insns, pr.entry) {
			in := pr.insns[pc]
			if in.kind != testRelation {
				continue
			}
			r := f.rels[in.offset]
			err := r.lhs.pending
			if err == nil {
				err = r.rhs.pending
			}
			if err != nil && (first == nil || err.Offset < first.Offset) {
				first = err
			}
		}
	}
	if first == nil {
		return nil
	}
	return first
}
