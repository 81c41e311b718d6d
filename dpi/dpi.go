package dpi

import (
	"math/bits"
	"net/netip"
	"strings"
	"sync"
)

// TCP flag bits of Packet.TCPFlags.
const (
	FlagFIN uint8 = 1 << iota
	FlagSYN
	FlagRST
	FlagPSH
	FlagACK
	FlagURG
	FlagECE
	FlagCWR
)

// Packet is one packet of a flow as the engine sees it. The engine and the
// dissectors read it during Feed only and never keep it or its bytes.
type Packet struct {
	IP               []byte     // captured bytes from the IP header on (may include trailer padding); nil: checks skipped
	Payload          []byte     // transport payload (captured part)
	Direction        uint8      // 0 = flow's src→dst, 1 = reverse
	Protocol         uint8      // IP protocol (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, …)
	IPVersion        uint8      // 4 or 6
	SrcIP, DstIP     netip.Addr // this packet's own addresses
	SrcPort, DstPort uint16     // this packet's own ports
	TCPFlags         uint8      // FlagFIN … FlagCWR
	TimeMs           uint64
}

// Result is what NFStream copies from nDPI at flow expiry.
type Result struct {
	Application, Category string // "TLS.Facebook", "SocialNetwork"; "Unknown", "Unspecified" when nothing
	IsGuessed, Confidence int    // nDPI semantics: 1/1 for port guesses; 0/6 for DPI; 0/0 unknown

	ServerName        string // requested_server_name
	ClientFingerprint string // JA3 client (TLS family, QUIC), DHCP fingerprint, HASSH client
	ServerFingerprint string // JA3S, HASSH server
	UserAgent         string
	ContentType       string
}

// Confidence values (nDPI's ndpi_confidence_t).
const (
	ConfidenceUnknown      uint8 = 0
	ConfidenceMatchByPort  uint8 = 1
	ConfidenceNBPF         uint8 = 2
	ConfidenceDPIPartial   uint8 = 3
	ConfidencePartialCache uint8 = 4
	ConfidenceDPICache     uint8 = 5
	ConfidenceDPI          uint8 = 6
)

// Flow is the per-flow detection state. The zero value is ready to use.
// It starts no goroutine and touches no global mutable state.
type Flow struct {
	// st also holds the flow's own flags (flowStarted …), in what would
	// otherwise be its padding: a Flow then fits a smaller size class.
	st State
}

// maxPacketsToProcess is nDPI's default per-flow packet budget.
const maxPacketsToProcess = 32

// Reset makes f ready for a new flow, keeping nothing.
func (f *Flow) Reset() { *f = Flow{} }

// Detected reports whether an application protocol is known.
func (f *Flow) Detected() bool { return f.st.app != ProtoUnknown || f.st.master != ProtoUnknown }

// State exposes the flow's detection state (read-only use outside dissectors).
func (f *Flow) State() *State { return &f.st }

// Feed dissects one packet. It reports whether nDPI would still want more
// packets: the protocol is not yet known, or it is known and the dissector
// that found it asked for more ("extra dissection possible").
func (f *Flow) Feed(p *Packet) (wantMore bool) {
	st := &f.st
	if f.st.flowClosed {
		return false
	}
	// nDPI dissects at most 32 packets of a flow (its default
	// max_packets_to_process): later ones end extra dissection and leave
	// an unknown flow to the give-up guess.
	if st.calls >= maxPacketsToProcess {
		st.extra = -1
		return !f.Detected()
	}
	st.calls++
	if !nDPIAccepts(p) {
		// nDPI drops the packet before any dissection (and before its
		// first-packet guesses): truncated or fragmented UDP, short headers.
		return !f.Detected() || st.extra >= 0
	}
	if !f.st.flowStarted {
		f.st.flowStarted = true
		st.first(p)
	} else if p.Protocol == 6 && p.TCPFlags&(FlagSYN|FlagACK) == FlagSYN && st.app == ProtoUnknown {
		// A new SYN on an undetected flow restarts detection (nDPI keeps only
		// its counters and first-packet guesses).
		st.restart()
	}
	st.pkt = p
	st.Packets[p.Direction&1]++
	if len(p.Payload) > 0 {
		st.PayloadPackets[p.Direction&1]++
	}
	st.numProcessed++
	if p.Protocol == 6 {
		st.tcpFlags[p.Direction&1] |= p.TCPFlags
		st.trackTCP(p)
	}

	if f.Detected() {
		if st.extra < 0 {
			f.st.flowClosed = true
			st.pkt = nil
			return false
		}
		d := registry[st.extra]
		st.current = st.extra
		st.switched = false
		v := d.spec.Dissector.Dissect(p, st)
		st.current = -1
		st.extraSeen++
		if (v != NeedMore && !st.switched) || (st.extraLimit > 0 && st.extraSeen >= st.extraLimit) {
			st.extra = -1
		}
		st.pkt = nil
		return st.extra >= 0
	}
	f.runDissectors(p)
	st.pkt = nil
	if !f.Detected() {
		return true
	}
	return st.extra >= 0
}

// nDPIAccepts reports whether nDPI's packet initialisation accepts p. A
// packet without IP bytes (a caller that only has payloads) is accepted
// as is; TCP sequence tracking is then skipped too.
func nDPIAccepts(p *Packet) bool {
	ip := p.IP
	if len(ip) == 0 {
		return true
	}
	if len(ip) < 20 {
		return false
	}
	var l4len int
	switch ip[0] >> 4 {
	case 4:
		hl := int(ip[0]&0x0f) * 4
		if hl < 20 {
			return false
		}
		tot := int(be16(ip[2:]))
		if ip[9] == 17 && (len(ip) < hl || len(ip) < tot || tot < hl || be16(ip[6:])&0x1fff != 0) {
			return false
		}
		n := min(tot, len(ip))
		if n == 0 {
			n = len(ip)
		}
		if n > hl {
			l4len = n - hl
		}
	case 6:
		if len(ip) < 40 || len(ip)-40 < int(be16(ip[4:])) {
			return false
		}
		off := l4Offset(ip)
		if off < 0 {
			return false
		}
		l4len = int(be16(ip[4:])) - (off - 40)
	default:
		return false
	}
	switch p.Protocol {
	case 6:
		if l4len < 20 {
			return false
		}
		off := l4Offset(ip)
		if off < 0 || off+13 > len(ip) || l4len < int(ip[off+12]>>4)*4 {
			return false
		}
	case 17:
		return l4len >= 8
	case 1, 58:
		return l4len >= 8
	}
	return true
}

func (f *Flow) runDissectors(p *Packet) {
	st := &f.st
	tr := transportOf(p.Protocol)
	hasPayload := len(p.Payload) > 0
	if st.retrans {
		// nDPI does not run dissectors on TCP retransmissions.
		return
	}
	call := func(i int) {
		e := &registry[i]
		if e.spec.Transport&tr == 0 || st.excluded(i) {
			return
		}
		if !hasPayload && !e.spec.NoPayload {
			return
		}
		st.current = int16(i)
		st.switched = false
		v := e.spec.Dissector.Dissect(p, st)
		st.current = -1
		if st.app != ProtoUnknown || st.master != ProtoUnknown {
			switch {
			case st.switched:
			case v == NeedMore:
				st.extra = int16(i)
			default:
				st.extra = -1
			}
			if st.by < 0 {
				st.by = int16(i)
			}
			return
		}
		if v == NotMine || v == Done {
			st.exclude(i)
		}
	}
	// The dissector of the protocol guessed from the ports runs first.
	first := -1
	if st.portGuess != ProtoUnknown {
		first = dissectorFor(st.portGuess)
		if first >= 0 {
			call(first)
			if f.Detected() {
				return
			}
		}
	}
	// The candidates in registry order, as a bit set: each step takes the
	// lowest candidate above the last one not excluded at that moment (a
	// dissector may exclude others), so most of the ~140 dissectors a
	// packet would pass over as excluded cost nothing.
	mask := candidateMask(tr, hasPayload)
	for w := range mask {
		for low := uint(0); low < 64; {
			m := (mask[w] &^ st.excl[w]) >> low << low
			if m == 0 {
				break
			}
			b := uint(bits.TrailingZeros64(m))
			low = b + 1
			i := w<<6 | int(b)
			if i == first {
				continue
			}
			call(i)
			if f.Detected() {
				return
			}
		}
	}
}

var (
	candidatesOnce sync.Once
	candidates     [3][2][4]uint64 // by transport (TCP, UDP, other), by payload: registry indexes
)

// candidateMask returns the set of registry indexes of the dissectors that
// may see a packet of transport tr with or without payload (the filter
// call applies), computed once after every init registered.
func candidateMask(tr Transport, payload bool) *[4]uint64 {
	candidatesOnce.Do(func() {
		for t, trans := range [3]Transport{TCP, UDP, Other} {
			for i, e := range registry {
				if e.spec.Transport&trans == 0 {
					continue
				}
				candidates[t][1][i>>6] |= 1 << (uint(i) & 63)
				if e.spec.NoPayload {
					candidates[t][0][i>>6] |= 1 << (uint(i) & 63)
				}
			}
		}
	})
	t := 2
	switch tr {
	case TCP:
		t = 0
	case UDP:
		t = 1
	}
	if payload {
		return &candidates[t][1]
	}
	return &candidates[t][0]
}

// GiveUp applies nDPI's end-of-detection guess when nothing was detected:
// the protocol registered for the flow's ports (server port first), or for
// non-TCP/UDP flows the IP protocol. Detection is closed afterwards.
func (f *Flow) GiveUp() {
	f.st.flowClosed = true
	if f.st.flowGaveUp || !f.st.flowStarted {
		return
	}
	f.st.flowGaveUp = true
	st := &f.st
	if st.app != ProtoUnknown {
		return
	}
	for _, h := range giveUpHooks {
		if h(st) {
			f.st.flowGuessed = true
			return
		}
	}
	g := st.portGuess
	if g != ProtoUnknown && st.l4 == 17 && st.excludedProto(g) && udpNotGuessable(g) {
		g = ProtoUnknown
	}
	if g != ProtoUnknown {
		st.SetProtocol(g, ProtoUnknown, ConfidenceMatchByPort)
		f.st.flowGuessed = true
	}
}

// giveUpHooks run at GiveUp before the port guess (for instance STUN's
// "binding request seen" rule); a hook that sets a protocol returns true.
var giveUpHooks []func(st *State) bool

// Result returns the flow's verdict and metadata in NFStream's terms.
func (f *Flow) Result() Result {
	st := &f.st
	r := Result{
		Application: "Unknown",
		Category:    "Unspecified",
	}
	if f.Detected() {
		r.Application = appName(st.master, st.app)
		r.Category = st.categoryName()
		r.Confidence = int(st.confidence)
		if f.st.flowGuessed {
			r.IsGuessed = 1
		}
	}
	// NFStream copies the fields into fixed C buffers, and the fingerprint,
	// user-agent and content-type columns only for some protocol families
	// (first match of DHCP, HTTP, SSH, the TLS family; master or app).
	r.Application = clip(r.Application, 39)
	md := st.Reported()
	r.ServerName = clip(md.ServerName, 79)
	is := func(p ProtoID) bool { return st.master == p || st.app == p }
	switch {
	case is(protoDHCPFamily):
		r.ClientFingerprint = md.ClientFingerprint
	case is(protoHTTP):
		r.UserAgent = clip(md.UserAgent, 255)
		r.ContentType = clip(md.ContentType, 63)
	case is(protoSSHFamily):
		r.ClientFingerprint = md.ClientFingerprint
		r.ServerFingerprint = md.ServerFingerprint
	case is(protoTLS) || is(protoDTLS) || is(protoSMTPS) || is(protoIMAPS) || is(protoPOPS) || is(protoQUIC):
		r.ClientFingerprint = md.ClientFingerprint
		r.ServerFingerprint = md.ServerFingerprint
		r.UserAgent = clip(md.UserAgent, 255)
	}
	return r
}

var (
	protoDHCPFamily = protoByName("DHCP")
	protoSSHFamily  = protoByName("SSH")
)

// clip is how a string reaches NFStream's column: copied into an n-byte C
// buffer, read back up to its first NUL, then decoded as UTF-8 with invalid
// bytes dropped (Python's errors="ignore"), so a fuzzed header's stray
// high byte vanishes from the value.
func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return strings.ToValidUTF8(s, "")
}

// appName builds NFStream's application_name from nDPI's (master, app).
func appName(master, app ProtoID) string {
	if master != ProtoUnknown && master != app {
		if app != ProtoUnknown {
			return master.Name() + "." + app.Name()
		}
		return master.Name()
	}
	return app.Name()
}

func transportOf(proto uint8) Transport {
	switch proto {
	case 6:
		return TCP
	case 17:
		return UDP
	}
	return Other
}
