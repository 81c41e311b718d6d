package bpf

import (
	"net/netip"
	"strconv"
	"strings"
)

// protoQual is libpcap's protocol qualifier ("ip", "tcp", ... in "ip host
// 10.0.0.1" or "tcp port 80"); protoDefault when none was written.
type protoQual uint8

const (
	protoDefault protoQual = iota
	protoIP
	protoIP6
	protoARP
	protoTCP
	protoUDP
	protoSCTP
	protoICMP
	protoICMP6
	protoEther
)

var protoQualNames = [...]string{"", "ip", "ip6", "arp", "tcp", "udp", "sctp", "icmp", "icmp6", "ether"}

// protoQualByName holds the protocol keywords this package supports, both
// as stand-alone primitives ("tcp") and as qualifiers ("tcp port 80").
var protoQualByName = map[string]protoQual{
	"ip": protoIP, "ip6": protoIP6, "arp": protoARP, "tcp": protoTCP, "udp": protoUDP,
	"sctp": protoSCTP, "icmp": protoICMP, "icmp6": protoICMP6, "ether": protoEther,
}

// dirQual is the direction qualifier. libpcap treats "src or dst" exactly
// like no qualifier, so both are dirEither.
type dirQual uint8

const (
	dirEither dirQual = iota
	dirSrc
	dirDst
	dirBoth // "src and dst"
)

var dirQualNames = [...]string{"", "src ", "dst ", "src and dst "}

// addrQual is the kind of value a qualifier set expects.
type addrQual uint8

const (
	addrDefault addrQual = iota // a direction alone: "src 10.0.0.1" means a host
	addrHost
	addrNet
	addrPort
	addrPortRange
	addrProto
)

var addrQualNames = [...]string{"host", "host", "net", "port", "portrange", "proto"}

// qualifiers is what a bare value inherits from the primitive before it
// ("host a or b"). After a primitive without qualifiers (tcp, vlan, a
// parenthesised expression at the start) valid is false and a bare value is
// an error, as in libpcap.
type qualifiers struct {
	valid bool
	proto protoQual
	dir   dirQual
	addr  addrQual
}

type nodeKind uint8

const (
	nodeAnd nodeKind = iota
	nodeOr
	nodeNot
	nodePrim
)

// node is the parsed expression. Binary nodes keep libpcap's grouping:
// "and" and "or" share one precedence and group from the left.
type node struct {
	kind nodeKind
	x, y *node // operands; x only for nodeNot
	prim primitive
}

type primKind uint8

const (
	primLinkProto primKind = iota // ip, ip6, arp
	primProto                     // [ip|ip6] proto N, and tcp, udp, sctp, icmp, icmp6
	primHost4                     // IPv4 host or net
	primHost6                     // IPv6 host or net
	primPort                      // port or portrange
	primVLAN                      // vlan [N]
	primRelation                  // arth relop arth; number indexes the filter's relations
	primEther                     // ether host, src or dst with a MAC address
	primFixed                     // a primitive without a value, written as abbrev
)

// fixedKind tells the primFixed primitives apart.
type fixedKind uint8

const (
	fixedEtherBroadcast fixedKind = iota
	fixedEtherMulticast
	fixedIPBroadcast
	fixedIPMulticast
	fixedIP6Multicast
)

// primitive is one primitive with its qualifiers made explicit.
type primitive struct {
	kind   primKind
	proto  protoQual
	dir    dirQual
	abbrev string // the keyword when written as tcp, udp, ip, ...

	etherType uint16 // primLinkProto

	number    uint32 // protocol number (primProto) or VLAN ID (primVLAN)
	hasNumber bool   // primVLAN: an ID was given

	isNet        bool // written with "net" or a mask, or a short IPv4 address
	addr4, mask4 uint32
	addr6        netip.Addr
	bits6        int // prefix length of addr6

	lo, hi  uint16 // port range; lo == hi for "port"
	isRange bool

	rel   *relation // primRelation
	mac   [6]byte   // primEther
	fixed fixedKind // primFixed

	// depth counts the vlan primitives written before this one: libpcap
	// moves the link-layer offsets by one 802.1Q tag for each.
	depth int
}

func (n *node) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

// write renders n with explicit qualifiers. Operands of a different binary
// operator get parentheses so that the text reads the same to libpcap
// (equal precedence, left grouping) and to a person.
func (n *node) write(b *strings.Builder) {
	switch n.kind {
	case nodePrim:
		n.prim.write(b)
	case nodeNot:
		b.WriteString("not ")
		n.x.writeOperand(b, nodeNot)
	default:
		n.x.writeOperand(b, n.kind)
		if n.kind == nodeAnd {
			b.WriteString(" and ")
		} else {
			b.WriteString(" or ")
		}
		n.y.writeOperand(b, n.kind)
	}
}

func (n *node) writeOperand(b *strings.Builder, parent nodeKind) {
	if n.kind == nodePrim || n.kind == nodeNot || n.kind == parent {
		n.write(b)
		return
	}
	b.WriteByte('(')
	n.write(b)
	b.WriteByte(')')
}

func (p *primitive) write(b *strings.Builder) {
	if p.abbrev != "" {
		b.WriteString(p.abbrev)
		return
	}
	switch p.kind {
	case primRelation:
		p.rel.write(b)
	case primEther:
		p.writeQualifiers(b)
		b.WriteString("host ")
		for i, c := range p.mac {
			if i > 0 {
				b.WriteByte(':')
			}
			b.WriteString(strconv.FormatUint(uint64(c)|0x100, 16)[1:])
		}
	case primProto:
		if p.proto != protoDefault {
			b.WriteString(protoQualNames[p.proto])
			b.WriteByte(' ')
		}
		b.WriteString("proto ")
		b.WriteString(strconv.FormatUint(uint64(p.number), 10))
	case primVLAN:
		b.WriteString("vlan")
		if p.hasNumber {
			b.WriteByte(' ')
			b.WriteString(strconv.FormatUint(uint64(p.number), 10))
		}
	case primHost4:
		p.writeQualifiers(b)
		a := ipv4String(p.addr4)
		switch {
		case !p.isNet:
			b.WriteString("host ")
			b.WriteString(a)
		case contiguousMaskBits(p.mask4) >= 0:
			b.WriteString("net ")
			b.WriteString(a)
			b.WriteByte('/')
			b.WriteString(strconv.Itoa(contiguousMaskBits(p.mask4)))
		default:
			b.WriteString("net ")
			b.WriteString(a)
			b.WriteString(" mask ")
			b.WriteString(ipv4String(p.mask4))
		}
	case primHost6:
		p.writeQualifiers(b)
		if p.isNet {
			b.WriteString("net ")
			b.WriteString(p.addr6.String())
			b.WriteByte('/')
			b.WriteString(strconv.Itoa(p.bits6))
		} else {
			b.WriteString("host ")
			b.WriteString(p.addr6.String())
		}
	case primPort:
		p.writeQualifiers(b)
		if p.isRange {
			b.WriteString("portrange ")
			b.WriteString(strconv.Itoa(int(p.lo)))
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(int(p.hi)))
		} else {
			b.WriteString("port ")
			b.WriteString(strconv.Itoa(int(p.lo)))
		}
	}
}

func (p *primitive) writeQualifiers(b *strings.Builder) {
	if p.proto != protoDefault {
		b.WriteString(protoQualNames[p.proto])
		b.WriteByte(' ')
	}
	b.WriteString(dirQualNames[p.dir])
}

func ipv4String(a uint32) string {
	return netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}).String()
}

// contiguousMaskBits returns the prefix length of m, or -1 when m is not a
// run of ones followed by zeros.
func contiguousMaskBits(m uint32) int {
	n := 0
	for n < 32 && m&(1<<(31-n)) != 0 {
		n++
	}
	if n < 32 && m<<n != 0 {
		return -1
	}
	return n
}
