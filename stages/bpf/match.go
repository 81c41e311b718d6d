package bpf

// LINKTYPE_* values Match understands.
const (
	linkTypeNull      = 0
	linkTypeEthernet  = 1
	linkTypePPP       = 9
	linkTypeRaw12     = 12 // DLT_RAW as written by some systems
	linkTypeRaw14     = 14 // DLT_RAW on OpenBSD
	linkTypePPPHDLC   = 50
	linkTypeRaw       = 101
	linkTypeCHDLC     = 104
	linkTypeLoop      = 108
	linkTypeLinuxSLL  = 113
	linkTypeIPv4      = 228
	linkTypeIPv6      = 229
	linkTypeLinuxSLL2 = 276
)

// linkFamily groups link types by how they name the network protocol.
type linkFamily uint8

const (
	familyUnknown  linkFamily = iota
	familyEtherish            // a 16-bit EtherType at typeOffset
	familyPPP                 // a 16-bit PPP protocol number at typeOffset
	familyNull                // a 32-bit BSD address family, host byte order
	familyLoop                // a 32-bit BSD address family, network byte order
	familyRawIP               // no header: the IP version nibble tells
	familyOnlyIPv4
	familyOnlyIPv6
)

// linkLayout says where, for one link type, the network protocol is named
// and where the network layer starts (without VLAN tags).
type linkLayout struct {
	family     linkFamily
	typeOffset int
	netOffset  int
	ethernet   bool // the only link type on which libpcap compiles "vlan"
	model      linkModel
}

func layoutOf(linkType uint32) linkLayout {
	switch linkType {
	case linkTypeEthernet:
		return linkLayout{family: familyEtherish, typeOffset: 12, netOffset: 14, ethernet: true}
	case linkTypeLinuxSLL:
		return linkLayout{family: familyEtherish, typeOffset: 14, netOffset: 16}
	case linkTypeLinuxSLL2:
		return linkLayout{family: familyEtherish, typeOffset: 0, netOffset: 20}
	case linkTypeCHDLC:
		return linkLayout{family: familyEtherish, typeOffset: 2, netOffset: 4}
	case linkTypePPP, linkTypePPPHDLC:
		return linkLayout{family: familyPPP, typeOffset: 2, netOffset: 4}
	case linkTypeNull:
		return linkLayout{family: familyNull, netOffset: 4, model: modelAddressFamily}
	case linkTypeLoop:
		return linkLayout{family: familyLoop, netOffset: 4, model: modelAddressFamily}
	case linkTypeRaw, linkTypeRaw12, linkTypeRaw14:
		return linkLayout{family: familyRawIP, model: modelVersionNibble}
	case linkTypeIPv4:
		return linkLayout{family: familyOnlyIPv4, model: modelOnlyIPv4}
	case linkTypeIPv6:
		return linkLayout{family: familyOnlyIPv6, model: modelOnlyIPv6}
	}
	return linkLayout{}
}

// vlanTagLen is the size of one 802.1Q tag; libpcap moves both the type
// and the network offsets by it for every "vlan" written before a test.
const vlanTagLen = 4

// Filter is a compiled expression; Match is safe for concurrent use and does not allocate.
type Filter struct {
	expr string // normalised expression
	// programs holds one program per link model (see linkModel).
	programs [linkModels]struct {
		insns []insn
		entry int32 // first instruction, or a verdict for constant filters
	}
	matchAll  bool // the empty expression
	usesVLAN  bool
	usesEther bool        // MAC addresses, link-layer broadcast or multicast: Ethernet only
	rels      []*relation // testRelation's offset indexes these
}

// String returns the normalised expression: every primitive with its
// qualifiers written out, numbers in decimal, and "and", "or", "not".
// Compiling it again gives the same filter.
func (f *Filter) String() string {
	if f == nil {
		return ""
	}
	return f.expr
}

// Match reports whether libpcap would accept the frame captured with the given LINKTYPE_* (1 Ethernet, 113 Linux SLL, 0 NULL/loopback, 101/228/229 raw IP, 9 PPP, 104 C_HDLC, 50 PPP_HDLC, 276 Linux SLL2, 12/14 raw on some OSes).
// data is the captured part of the frame and wireLen its length on the
// wire, which "len", "greater" and "less" compare.
//
// A nil or empty filter accepts every frame. Any other filter accepts no
// frame of a link type not listed above (108, LOOP, is supported too), and
// a filter using "vlan" accepts no frame that is not Ethernet, since
// libpcap will not compile such a filter for other link types; the same
// holds for MAC addresses and link-layer broadcast and multicast.
func (f *Filter) Match(linkType uint32, data []byte, wireLen uint32) bool {
	if f == nil || f.matchAll {
		return true
	}
	layout := layoutOf(linkType)
	if layout.family == familyUnknown || (f.usesVLAN || f.usesEther) && !layout.ethernet {
		return false
	}
	prog := &f.programs[layout.model]
	accepted, _ := run(prog.insns, prog.entry, &layout, frame{data: data, wireLen: wireLen, rels: f.rels})
	return accepted
}

// frame is what a program reads: the captured bytes, the length on the
// wire, and the filter's relations.
type frame struct {
	data    []byte
	wireLen uint32
	rels    []*relation
}

// run executes a program on one frame. complete is false when a load fell
// outside the frame, which rejects it.
func run(insns []insn, pc int32, layout *linkLayout, fr frame) (accepted, complete bool) {
	for pc >= 0 {
		in := &insns[pc]
		ok, inBounds := in.eval(layout, fr)
		if !inBounds {
			return false, false
		}
		if ok {
			pc = in.jt
		} else {
			pc = in.jf
		}
	}
	return pc == targetAccept, true
}

// eval runs one test. inBounds is false when a load falls outside data,
// which ends the whole filter with a rejection.
func (in *insn) eval(l *linkLayout, fr frame) (ok, inBounds bool) {
	shift := int(in.depth) * vlanTagLen
	data := fr.data
	switch in.kind {
	case testLinkField:
		v, inBounds := load(data, int(in.offset), int(in.size))
		return compare(v&in.mask, in.cmp, in.value), inBounds
	case testRelation:
		return fr.rels[in.offset].holds(l, data, fr.wireLen)
	case testLinkProto:
		return linkProtoIs(l, data, shift, uint16(in.value))
	case testAddressFamily:
		v, inBounds := load(data, 0, 4)
		return v == in.value || l.family == familyNull && v == swap32(in.value), inBounds
	case testVLANID:
		v, inBounds := load(data, l.typeOffset+shift+2, 2)
		return v&0x0fff == in.value, inBounds
	case testNetField:
		v, inBounds := load(data, l.netOffset+shift+int(in.offset), int(in.size))
		return compare(v&in.mask, in.cmp, in.value), inBounds
	case testTransportField:
		net := l.netOffset + shift
		ihl, inBounds := load(data, net, 1)
		if !inBounds {
			return false, false
		}
		v, inBounds := load(data, net+int(ihl&0x0f)*4+int(in.offset), int(in.size))
		return compare(v&in.mask, in.cmp, in.value), inBounds
	}
	return false, true
}

// linkProtoIs tests whether the frame's link layer names etherType as the
// network protocol, the way libpcap's code for each link type does.
func linkProtoIs(l *linkLayout, data []byte, shift int, etherType uint16) (ok, inBounds bool) {
	switch l.family {
	case familyEtherish:
		v, inBounds := load(data, l.typeOffset+shift, 2)
		return v == uint32(etherType), inBounds
	case familyPPP:
		v, inBounds := load(data, l.typeOffset, 2)
		return v == uint32(pppProtocol(etherType)), inBounds
	case familyRawIP:
		version := uint32(0)
		switch etherType {
		case etherTypeIPv4:
			version = 4
		case etherTypeIPv6:
			version = 6
		default:
			return false, true
		}
		v, inBounds := load(data, 0, 1)
		return v>>4 == version, inBounds
	case familyOnlyIPv4:
		return etherType == etherTypeIPv4, true
	case familyOnlyIPv6:
		return etherType == etherTypeIPv6, true
	}
	return false, true
}

// pppProtocol maps the EtherTypes libpcap translates to PPP protocol
// numbers; the others are compared unchanged.
func pppProtocol(etherType uint16) uint16 {
	switch etherType {
	case etherTypeIPv4:
		return 0x0021
	case etherTypeIPv6:
		return 0x0057
	}
	return etherType
}

func swap32(v uint32) uint32 {
	return v>>24 | v>>8&0xff00 | v<<8&0xff0000 | v<<24
}

// load reads size (1, 2 or 4) bytes big-endian at off.
func load(data []byte, off, size int) (uint32, bool) {
	if off < 0 || off > len(data)-size {
		return 0, false
	}
	switch size {
	case 1:
		return uint32(data[off]), true
	case 2:
		return uint32(data[off])<<8 | uint32(data[off+1]), true
	}
	return uint32(data[off])<<24 | uint32(data[off+1])<<16 | uint32(data[off+2])<<8 | uint32(data[off+3]), true
}

func compare(v uint32, op cmpOp, value uint32) bool {
	switch op {
	case cmpGE:
		return v >= value
	case cmpLE:
		return v <= value
	case cmpGT:
		return v > value
	}
	return v == value
}
