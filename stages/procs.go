package stages

import (
	"net/netip"
	"sync"

	"github.com/nfdataset/nfdataset/features"
)

// Process attribution (NFStream's system_visibility_mode = 1): a poller
// keeps a table of the host's connected sockets and the process owning
// each; when a flow is emitted its 5-tuple is looked up there and the two
// columns system_process_pid and system_process_name are filled (-1 and ""
// when nothing matches). Matching happens at emission, as in NFStream.

// SystemColumns are the columns process attribution appends, after every
// other column, in NFStream's order.
var SystemColumns = features.Schema{
	{Name: "system_process_pid", Kind: features.Int, Doc: "pid of the local process owning the flow's socket, -1 if unknown (live capture only)"},
	{Name: "system_process_name", Kind: features.String, Doc: "name of that process, empty if unknown"},
}

// MatchMode says how flows are matched to sockets.
type MatchMode int

const (
	// MatchNFStream reproduces NFStream's key: both ports, the protocol and
	// only the first two characters of each address's text (NFStream builds
	// the key with its flow-key function on address strings).
	MatchNFStream MatchMode = iota
	// MatchExact compares the full addresses.
	MatchExact
)

type procKey struct {
	proto          uint8
	loAddr, hiAddr string
	loPort, hiPort uint16
}

func makeProcKey(mode MatchMode, proto uint8, a netip.Addr, ap uint16, b netip.Addr, bp uint16) procKey {
	sa, sb := a.String(), b.String()
	if mode == MatchNFStream {
		sa, sb = sa[:min(2, len(sa))], sb[:min(2, len(sb))]
	}
	if sa > sb || (sa == sb && ap > bp) {
		sa, sb, ap, bp = sb, sa, bp, ap
	}
	return procKey{proto: proto, loAddr: sa, hiAddr: sb, loPort: ap, hiPort: bp}
}

type procEntry struct {
	pid     int64
	name    string
	touched int64 // poll round that last saw it
}

// ProcessTable maps sockets to processes; safe for concurrent use.
type ProcessTable struct {
	mode    MatchMode
	mu      sync.Mutex
	entries map[procKey]*procEntry
	round   int64
	keep    int64 // rounds an unseen socket is kept
}

// NewProcessTable returns an empty table that forgets a socket keepRounds
// polls after it was last seen.
func NewProcessTable(mode MatchMode, keepRounds int64) *ProcessTable {
	return &ProcessTable{mode: mode, entries: map[procKey]*procEntry{}, keep: max(1, keepRounds)}
}

// Socket is one connected socket of the host.
type Socket struct {
	Proto       uint8 // 6 TCP, 17 UDP
	Local, Peer netip.AddrPort
	PID         int64
	ProcessName string
}

// Update records one poll's sockets and ages out the rest.
func (t *ProcessTable) Update(socks []Socket) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.round++
	for _, s := range socks {
		k := makeProcKey(t.mode, s.Proto, s.Local.Addr().Unmap(), s.Local.Port(), s.Peer.Addr().Unmap(), s.Peer.Port())
		if e, ok := t.entries[k]; ok {
			e.touched = t.round
			continue
		}
		t.entries[k] = &procEntry{pid: s.PID, name: s.ProcessName, touched: t.round}
	}
	for k, e := range t.entries {
		if t.round-e.touched > t.keep {
			delete(t.entries, k)
		}
	}
}

// Lookup returns the process of a flow, or -1 and "".
func (t *ProcessTable) Lookup(proto uint8, src netip.Addr, sport uint16, dst netip.Addr, dport uint16) (int64, string) {
	switch proto {
	case 6, 17:
	default:
		proto = 0
	}
	k := makeProcKey(t.mode, proto, src.Unmap(), sport, dst.Unmap(), dport)
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.entries[k]; ok {
		return e.pid, e.name
	}
	return -1, ""
}

// Annotate appends the two system columns for the flow of v.
func (t *ProcessTable) Annotate(v features.View) features.Record {
	pid, name := int64(-1), ""
	if t != nil && v.Flow != nil {
		f := v.Flow
		pid, name = t.Lookup(f.Protocol, f.SrcIP(), f.SrcPort, f.DstIP(), f.DstPort)
	}
	return append(v.Record, features.IntValue(pid), features.StringValue(name))
}
