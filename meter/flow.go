package meter

import "net/netip"

// Expiration reasons (NFStream's expiration_id).
const (
	ExpireIdle   int8 = 0 // idle timeout, idle scan or end of input
	ExpireActive int8 = 1 // active timeout
	ExpireCustom int8 = -1
	// ExpireEvicted is not NFStream's: the flow left a full table
	// (max_active_flows) to make room for a new one; see Config.MaxActive.
	ExpireEvicted int8 = 2
)

// Key identifies a flow independently of direction (NFStream §3.1).
// Addresses are 16-byte arrays (IPv4 as IPv4-mapped IPv6) so that the key
// holds no pointers: the flow table's map is then cheap for the garbage
// collector even with millions of flows.
type Key struct {
	LoIP, HiIP     [16]byte
	LoPort, HiPort uint16
	Proto, Tunnel  uint8
	VLAN           uint16
}

// Direction holds the per-direction counters of a flow.
type Direction struct {
	FirstSeen, LastSeen uint64 // ms; 0 when the direction saw no packet
	Packets, Bytes      uint64
	// Transport payload accounting, independent of the accounting mode.
	PayloadBytes, PayloadPackets uint64
}

// Flow is one bidirectional flow. The meter owns it; hooks may read every
// field and keep per-flow state in Ext[slot].
type Flow struct {
	Key Key

	SrcMAC, DstMAC   [6]byte
	SrcPort, DstPort uint16
	Protocol         uint8
	IPVersion        uint8
	VLAN             uint16
	Tunnel           uint8
	ExpirationID     int8
	// srcHi says the source address is Key.HiIP (else Key.LoIP): the
	// addresses are not stored twice (SrcIP, DstIP).
	srcHi bool
	// foreign: another meter computes this flow's features (Config.Owns).
	// It fills the byte of padding before FirstSeen, so Flow does not grow.
	foreign bool

	FirstSeen, LastSeen uint64
	Packets, Bytes      uint64
	Src2Dst, Dst2Src    Direction

	// Ext holds one state value per hook, indexed by the slot the meter gave
	// the hook (see Slotted).
	Ext []any

	// creation order bookkeeping for the idle scan
	prev, next *Flow
}

// Foreign reports that the meter does not own f (Config.Owns): only the
// hooks that may force expiry saw its packets, so the state of the others
// in f.Ext is not f's and no record should be built from it.
func (f *Flow) Foreign() bool { return f.foreign }

// SrcIP is the address of the flow's first packet's source, as decoded
// (IPv4 as a 4-byte address).
func (f *Flow) SrcIP() netip.Addr {
	if f.srcHi {
		return addrOf(f.Key.HiIP, f.IPVersion)
	}
	return addrOf(f.Key.LoIP, f.IPVersion)
}

// DstIP is the address of the flow's first packet's destination.
func (f *Flow) DstIP() netip.Addr {
	if f.srcHi {
		return addrOf(f.Key.LoIP, f.IPVersion)
	}
	return addrOf(f.Key.HiIP, f.IPVersion)
}

func addrOf(b [16]byte, version uint8) netip.Addr {
	switch version {
	case 4:
		return netip.AddrFrom4([4]byte(b[12:]))
	case 6:
		return netip.AddrFrom16(b)
	}
	return netip.Addr{}
}

// Duration is bidirectional_duration_ms.
func (f *Flow) Duration() uint64 { return f.LastSeen - f.FirstSeen }
