package dpi

import (
	"math"
	"net/netip"
)

// State is what dissectors read and write for one flow. Dissectors set the
// protocol with SetProtocol, the metadata through Meta, and keep their own
// memory with Data/SetData.
type State struct {
	// meta holds what dissectors report beside the protocol; nil until the
	// first report, since most flows never carry any (Meta, Reported).
	meta *Metadata

	// Packets and PayloadPackets count the packets fed so far per direction
	// (including the current one).
	Packets, PayloadPackets [2]uint32

	// The flow's first packet: client (src) and server (dst) as nDPI sees them.
	ClientIP, ServerIP     netip.Addr
	ClientPort, ServerPort uint16

	// ProtoByIP is the application registered for the server address (then
	// the client address) in ipranges.txt, as nDPI's guess by IP.
	ProtoByIP ProtoID

	master, app ProtoID
	portGuess   ProtoID
	confidence  uint8
	l4          uint8
	tcpFlags    [2]uint8
	switched    bool // SwitchToTLS ran during the current dissector call
	retrans     bool

	// The Flow's flags, kept here to use the struct's padding.
	flowStarted bool
	flowClosed  bool // nDPI said no more dissection is possible
	flowGuessed bool // result came from GiveUp's guess
	flowGaveUp  bool

	// Registry indexes (-1: none): the running dissector, the one that
	// detected, and one asking for more packets after detection. int16
	// keeps the state of an open flow small; the registry has far fewer
	// dissectors.
	current, by, extra int16
	// extraSeen counts packets seen in extra dissection; extraLimit is its
	// limit (0 none). Packet budgets are small (32 by default).
	extraSeen, extraLimit uint16

	numProcessed uint32 // packets accepted and dissected
	calls        uint32 // packets handed to Feed (nDPI's num_processed_pkts)

	// TCP sequence tracking (nDPI's connection tracking).
	nextSeq [2]uint32

	category string    // set by a host rule or a dissector; else derived
	excl     [4]uint64 // dissectors that answered NotMine (by registry index)

	pkt  *Packet
	data []dataSlot

	tls *tlsFlow // TLS/DTLS/QUIC handshake state, allocated when first needed
}

// Metadata is what dissectors report beside the protocol: the strings of
// Result.
type Metadata struct {
	ServerName        string
	ClientFingerprint string
	ServerFingerprint string
	UserAgent         string
	ContentType       string
}

// Meta returns the flow's metadata for a dissector to set, allocating it on
// first use.
func (st *State) Meta() *Metadata {
	if st.meta == nil {
		st.meta = new(Metadata)
	}
	return st.meta
}

// Reported returns the metadata reported so far (empty strings when none),
// without allocating.
func (st *State) Reported() Metadata {
	if st.meta == nil {
		return Metadata{}
	}
	return *st.meta
}

type dataSlot struct {
	id DissectorID
	v  any
}

// first records the flow's first packet: nDPI's client/server decision
// (SYN, SYN+ACK, then well-known ports) and its port and address guesses.
func (st *State) first(p *Packet) {
	st.current, st.by, st.extra = -1, -1, -1
	st.l4 = p.Protocol
	swap := false
	switch {
	case p.Protocol == 6 && p.TCPFlags&FlagSYN != 0:
		swap = p.TCPFlags&FlagACK != 0
	case p.SrcPort < 1024 && p.DstPort > 1024:
		swap = true
	}
	if swap {
		st.ClientIP, st.ServerIP = p.DstIP, p.SrcIP
		st.ClientPort, st.ServerPort = p.DstPort, p.SrcPort
	} else {
		st.ClientIP, st.ServerIP = p.SrcIP, p.DstIP
		st.ClientPort, st.ServerPort = p.SrcPort, p.DstPort
	}
	st.portGuess = guessProtocol(p.Protocol, st.ClientPort, st.ServerPort)
	if p.IPVersion == 4 {
		st.ProtoByIP = matchIP(st.ServerIP)
		if st.ProtoByIP == ProtoUnknown {
			st.ProtoByIP = matchIP(st.ClientIP)
		}
	}
}

// restart clears the detection state for a new TCP connection in the same
// flow, keeping the packet counters and first-packet guesses as nDPI does.
func (st *State) restart() {
	keep := *st
	*st = State{}
	st.Packets = keep.Packets // nDPI keeps its per-direction counters, not the payload-packet counter
	st.ClientIP, st.ServerIP, st.ClientPort, st.ServerPort = keep.ClientIP, keep.ServerIP, keep.ClientPort, keep.ServerPort
	st.ProtoByIP, st.portGuess, st.l4 = keep.ProtoByIP, keep.portGuess, keep.l4
	st.numProcessed, st.calls = keep.numProcessed, keep.calls
	st.current, st.by, st.extra = -1, -1, -1
	// The Flow's own flags are not detection state.
	st.flowStarted, st.flowClosed, st.flowGuessed, st.flowGaveUp = keep.flowStarted, keep.flowClosed, keep.flowGuessed, keep.flowGaveUp
}

// trackTCP follows TCP sequence numbers per direction to flag
// retransmissions, as nDPI's connection tracking does.
func (st *State) trackTCP(p *Packet) {
	st.retrans = false
	seq, ack, ok := tcpSeqAck(p)
	if !ok {
		return
	}
	d := p.Direction & 1
	syn := p.TCPFlags&FlagSYN != 0
	if st.nextSeq[0] == 0 || st.nextSeq[1] == 0 || (syn && st.numProcessed == 1) {
		if p.TCPFlags&FlagACK != 0 {
			if syn {
				st.nextSeq[d] = seq + 1
			} else {
				st.nextSeq[d] = seq + uint32(len(p.Payload))
			}
			if st.numProcessed > 1 {
				st.nextSeq[1-d] = ack
			}
		}
	} else if len(p.Payload) > 0 {
		if seq-st.nextSeq[d] > 0x10000 {
			st.retrans = true
			if st.nextSeq[d]-seq < uint32(len(p.Payload)) && st.numProcessed > 1 {
				st.nextSeq[d] = seq + uint32(len(p.Payload))
			}
		} else {
			st.nextSeq[d] = seq + uint32(len(p.Payload))
		}
	}
	if p.TCPFlags&FlagRST != 0 {
		st.nextSeq = [2]uint32{}
	}
}

// SwitchToTLS hands the flow's further packets to the TLS dissector (for
// STARTTLS in SMTP, IMAP, POP3, FTP…, nDPI's switch_extra_dissection_to_tls):
// the caller sets its protocol first (SMTPS, IMAPS…), which TLS keeps as the
// master of a host-name match, and returns any verdict.
func (st *State) SwitchToTLS() {
	i := dissectorFor(protoTLS)
	if i < 0 {
		return
	}
	t := st.tlsState()
	t.buf = [2][]byte{}
	t.nextSeq = [2]uint32{}
	st.extra = int16(i)
	st.extraLimit = tlsExtraPacket
	st.switched = true
}

// Retransmission reports whether the current TCP packet is a retransmission.
func (st *State) Retransmission() bool { return st.retrans }

// SetExtraLimit bounds the packets the detecting dissector still sees after
// detection (nDPI's max_extra_packets_to_check); 0 means no bound.
func (st *State) SetExtraLimit(n int) { st.extraLimit = uint16(min(max(n, 0), math.MaxUint16)) }

// tcpSeqAck reads the TCP sequence and acknowledgement numbers of p.
func tcpSeqAck(p *Packet) (seq, ack uint32, ok bool) {
	off := l4Offset(p.IP)
	if off < 0 || off+12 > len(p.IP) {
		return 0, 0, false
	}
	b := p.IP[off:]
	return be32(b[4:]), be32(b[8:]), true
}

// l4Offset finds the transport header inside an IP packet, or -1.
func l4Offset(ip []byte) int {
	if len(ip) < 20 {
		return -1
	}
	switch ip[0] >> 4 {
	case 4:
		return int(ip[0]&0x0f) * 4
	case 6:
		if len(ip) < 40 {
			return -1
		}
		next, off := ip[6], 40
		for i := 0; i < 8; i++ {
			switch next {
			case 0, 43, 60: // hop-by-hop, routing, destination options
				if off+8 > len(ip) {
					return -1
				}
				next, off = ip[off], off+(int(ip[off+1])+1)*8
			case 44: // fragment
				if off+8 > len(ip) {
					return -1
				}
				next, off = ip[off], off+8
			case 51: // authentication header
				if off+8 > len(ip) {
					return -1
				}
				next, off = ip[off], off+(int(ip[off+1])+2)*4
			default:
				return off
			}
		}
		return off
	}
	return -1
}

func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }
func be24(b []byte) uint32 { return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) }
func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// Protocol returns nDPI's (app, master) pair, ProtoUnknown when unset.
func (st *State) Protocol() (app, master ProtoID) { return st.app, st.master }

// Confidence returns the confidence of the current protocol.
func (st *State) Confidence() uint8 { return st.confidence }

// L4 returns the flow's IP protocol number.
func (st *State) L4() uint8 { return st.l4 }

// PortGuess returns the protocol guessed from the flow's ports.
func (st *State) PortGuess() ProtoID { return st.portGuess }

// SetProtocol sets nDPI's detected stack: app is the upper protocol
// ("Facebook" in TLS.Facebook, or "DNS" alone), master the lower one
// ("TLS"), ProtoUnknown when there is none.
func (st *State) SetProtocol(app, master ProtoID, c uint8) {
	if app == ProtoUnknown && master != ProtoUnknown {
		app, master = master, ProtoUnknown
	}
	if app == master {
		master = ProtoUnknown
	}
	st.app, st.master, st.confidence = app, master, c
}

// SetCategory overrides the category derived from the protocols.
func (st *State) SetCategory(name string) { st.category = name }

// SetServerName sets requested_server_name from raw bytes the way nDPI
// does for SNI and DNS names: lower-cased, keeping the last 79 bytes.
func (st *State) SetServerName(name []byte) {
	if len(name) > 79 {
		name = name[len(name)-79:]
	}
	if st.Reported().ServerName == string(name) {
		return
	}
	b := make([]byte, len(name))
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	st.Meta().ServerName = string(b)
}

// moreGeneric reports whether a host match for next would replace the more
// specific application prev (a certificate naming WhatsApp on a WhatsApp
// call flow), which nDPI refuses.
func moreGeneric(prev, next ProtoID) bool {
	if prev == ProtoUnknown || prev == next {
		return false
	}
	switch prev.Name() {
	case "WhatsAppCall", "WhatsAppFiles":
		return next.Name() == "WhatsApp"
	case "FacebookVoip":
		return next.Name() == "Facebook"
	}
	return false
}

// hostApp returns the application the host rules give a name: the rule's
// application, or ProtoUnknown with ok for a category-only rule.
func hostApp(host string) (ProtoID, bool) {
	host = lowerASCII(host)
	if categoryRules.match(host) != nil {
		return ProtoUnknown, true
	}
	if r := hostRules.match(host); r != nil {
		return r.app, true
	}
	return ProtoUnknown, false
}

// MatchHost applies the host-name rules to host for a flow whose lower
// protocol is master (TLS, HTTP, DNS, QUIC…): a category-only rule
// (hostcategories.txt) sets the category and leaves master alone as the
// protocol, as nDPI does; otherwise a matching application rule sets
// master.App and, unless master dictates it (DNS, mail), the rule's
// category. It reports whether any rule matched.
// The server name itself is left to the caller.
func (st *State) MatchHost(master ProtoID, host string) bool {
	host = lowerASCII(host)
	if r := categoryRules.match(host); r != nil {
		// nDPI: a category rule wins and leaves the master protocol alone.
		st.category = r.category
		st.SetProtocol(master, ProtoUnknown, ConfidenceDPI)
		return true
	}
	r := hostRules.match(host)
	if r == nil || moreGeneric(st.app, r.app) {
		return false
	}
	st.SetProtocol(r.app, master, ConfidenceDPI)
	if !categoryFromMaster(master) && st.category == "" {
		st.category = r.category
	}
	return true
}

// Data returns the value SetData stored for dissector id, or nil.
func (st *State) Data(id DissectorID) any {
	for i := range st.data {
		if st.data[i].id == id {
			return st.data[i].v
		}
	}
	return nil
}

// SetData stores v for dissector id (replacing any previous value).
func (st *State) SetData(id DissectorID, v any) {
	for i := range st.data {
		if st.data[i].id == id {
			st.data[i].v = v
			return
		}
	}
	st.data = append(st.data, dataSlot{id, v})
}

// TCPFlagsSeen returns the union of TCP flags seen so far in direction dir.
func (st *State) TCPFlagsSeen(dir uint8) uint8 { return st.tcpFlags[dir&1] }

// Processed returns how many packets were fed so far (both directions).
func (st *State) Processed() uint32 { return st.numProcessed }

// Exclude marks protocol p's dissector as not applicable to this flow.
func (st *State) Exclude(p ProtoID) {
	if i := dissectorFor(p); i >= 0 {
		st.exclude(i)
	}
}

func (st *State) exclude(i int) {
	if i >= 0 && i < 256 {
		st.excl[i>>6] |= 1 << (uint(i) & 63)
	}
}

func (st *State) excluded(i int) bool {
	return i >= 0 && i < 256 && st.excl[i>>6]&(1<<(uint(i)&63)) != 0
}

func (st *State) excludedProto(p ProtoID) bool {
	return st.excluded(dissectorFor(p))
}

func (st *State) categoryName() string {
	if st.category != "" {
		return st.category
	}
	return protoCategory(st.master, st.app)
}
