package dpi

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// ProtoID numbers a protocol of protocols.txt; ProtoUnknown is 0.
type ProtoID uint16

// ProtoUnknown is nDPI's "Unknown".
const ProtoUnknown ProtoID = 0

type protoInfo struct {
	name     string
	category string
	tcp, udp []uint16
}

//go:embed data/protocols.txt
var protocolsTxt string

var (
	protoTable = loadProtocols(protocolsTxt)
	protoByNm  = indexProtocols(protoTable)
	tcpPortMap = portMap(protoTable, true)
	udpPortMap = portMap(protoTable, false)
)

func loadProtocols(txt string) []protoInfo {
	out := []protoInfo{{name: "Unknown", category: "Unspecified"}}
	for n, line := range strings.Split(txt, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			panic(fmt.Sprintf("dpi: data/protocols.txt:%d: want 4 tab-separated fields", n+1))
		}
		if f[0] == "Unknown" {
			continue
		}
		out = append(out, protoInfo{name: f[0], category: f[1], tcp: ports(f[2], n), udp: ports(f[3], n)})
	}
	return out
}

func ports(s string, line int) []uint16 {
	if s == "-" || s == "" {
		return nil
	}
	var out []uint16
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			panic(fmt.Sprintf("dpi: data/protocols.txt:%d: port %q: %v", line+1, p, err))
		}
		out = append(out, uint16(v))
	}
	return out
}

func indexProtocols(t []protoInfo) map[string]ProtoID {
	m := make(map[string]ProtoID, len(t))
	for i, p := range t {
		if _, dup := m[p.name]; dup {
			panic("dpi: data/protocols.txt: duplicate protocol " + p.name)
		}
		m[p.name] = ProtoID(i)
	}
	return m
}

// portMap maps a default port to the protocol listing it last (nDPI
// overwrites a port already taken by an earlier protocol).
func portMap(t []protoInfo, tcp bool) map[uint16]ProtoID {
	m := map[uint16]ProtoID{}
	for i, p := range t {
		l := p.udp
		if tcp {
			l = p.tcp
		}
		for _, port := range l {
			m[port] = ProtoID(i)
		}
	}
	return m
}

// protoByName returns the id of a protocol of protocols.txt; it panics when
// the name is missing (a programming error caught at init).
func protoByName(name string) ProtoID {
	id, ok := protoByNm[name]
	if !ok {
		panic("dpi: protocol " + name + " missing from data/protocols.txt")
	}
	return id
}

// LookupProtocol returns the id of a protocol name and whether it exists.
func LookupProtocol(name string) (ProtoID, bool) {
	id, ok := protoByNm[name]
	return id, ok
}

// Name returns nDPI's protocol name.
func (p ProtoID) Name() string {
	if int(p) < len(protoTable) {
		return protoTable[p].name
	}
	return "Unknown"
}

func (p ProtoID) String() string { return p.Name() }

// Category returns nDPI's default category of the protocol.
func (p ProtoID) Category() string {
	if int(p) < len(protoTable) {
		return protoTable[p].category
	}
	return "Unspecified"
}

// categoryFromMaster lists the protocols whose category wins over the
// application's (nDPI: mail protocols and DNS).
func categoryFromMaster(p ProtoID) bool {
	switch p.Name() {
	case "POP3", "SMTP", "IMAP", "POPS", "SMTPS", "IMAPS", "DNS":
		return true
	}
	return false
}

// protoCategory is nDPI's category rule: the application's category unless
// the master dictates it or the application has none.
func protoCategory(master, app ProtoID) string {
	if categoryFromMaster(master) {
		return master.Category()
	}
	if master == ProtoUnknown || app.Category() != "Unspecified" {
		return app.Category()
	}
	return master.Category()
}

// guessProtocol is nDPI's guess from the ports (server port first) or, for
// other IP protocols, from the protocol number.
func guessProtocol(l4 uint8, sport, dport uint16) ProtoID {
	switch l4 {
	case 6, 17:
		if sport == 0 || dport == 0 {
			return ProtoUnknown
		}
		m := tcpPortMap
		if l4 == 17 {
			m = udpPortMap
		}
		if p, ok := m[dport]; ok {
			return p
		}
		if p, ok := m[sport]; ok {
			return p
		}
		return ProtoUnknown
	}
	if name, ok := ipProtoNames[l4]; ok {
		if id, ok := protoByNm[name]; ok {
			return id
		}
	}
	return ProtoUnknown
}

// ipProtoNames: nDPI names for the IP protocols it knows by number alone,
// both for the IP-layer dissector (a DPI match) and for the give-up guess.
var ipProtoNames = map[uint8]string{
	1:   "ICMP",
	2:   "IGMP",
	4:   "IP_in_IP",
	8:   "EGP",
	47:  "GRE",
	50:  "IPSec",
	51:  "IPSec",
	58:  "ICMPV6",
	89:  "OSPF",
	103: "IP_PIM",
	112: "VRRP",
	113: "PGM",
	132: "SCTP",
}

// udpNotGuessable: protocols that must fit one UDP packet, so a flow whose
// dissector already rejected them is not guessed as them.
func udpNotGuessable(p ProtoID) bool {
	switch p.Name() {
	case "SNMP", "NetFlow":
		return true
	}
	return false
}
