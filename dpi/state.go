package dpi

import "net/netip"

// State is what dissectors read and write for one flow. Dissectors set the
// protocol with SetProtocol, the metadata fields directly, and keep their own
// memory with Data/SetData.
type State struct {
	// Metadata reported in Result.
	ServerName        string
	ClientFingerprint string
	ServerFingerprint string
	UserAgent         string
	ContentType       string

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
	confidence  uint8
	category    string // set by a host rule or a dissector; else derived
	l4          uint8
	portGuess   ProtoID

	numProcessed uint32
	tcpFlags     [2]uint8

	excl    [4]uint64 // dissectors that answered NotMine (by registry index)
	current int       // registry index of the running dissector, -1 outside
	by      int       // registry index of the dissector that detected
	extra   int       // dissector asking for more packets after detection; -1 none

	pkt  *Packet
	data []dataSlot

	tls *tlsFlow // TLS/DTLS/QUIC handshake state, allocated when first needed
}

type dataSlot struct {
	id DissectorID
	v  any
}

// first records the flow's first packet (nDPI's client/server and guesses).
func (st *State) first(p *Packet) {
	st.current, st.by, st.extra = -1, -1, -1
	st.ClientIP, st.ServerIP = p.SrcIP, p.DstIP
	st.ClientPort, st.ServerPort = p.SrcPort, p.DstPort
	st.l4 = p.Protocol
	st.portGuess = guessProtocol(p.Protocol, p.SrcPort, p.DstPort)
	if p.IPVersion == 4 {
		st.ProtoByIP = matchIP(p.DstIP)
		if st.ProtoByIP == ProtoUnknown {
			st.ProtoByIP = matchIP(p.SrcIP)
		}
	}
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

// SetServerName sets requested_server_name (nDPI keeps at most 79 bytes).
func (st *State) SetServerName(name string) {
	if len(name) > 79 {
		name = name[:79]
	}
	st.ServerName = name
}

// MatchHost sets the server name and, when a host rule matches it, the
// application on top of master (TLS, HTTP, DNS, QUIC…). It reports whether
// a rule matched. Without a match the protocol is left to the caller.
func (st *State) MatchHost(master ProtoID, host string) bool {
	app, cat, ok := matchHost(host)
	if !ok {
		return false
	}
	st.SetProtocol(app, master, ConfidenceDPI)
	if cat != "" {
		st.category = cat
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
