package features

import (
	"net/netip"

	"github.com/nfdataset/nfdataset/meter"
)

func init() {
	Register(Spec{
		Name:    "base",
		Version: 1,
		Rank:    0,
		Doc:     "NFStream's core flow columns: identity, addresses, and per-direction packet/byte counters and times.",
		New: func(_ Options, env Env) (Set, error) {
			return &baseSet{tunnels: env.DecodeTunnels}, nil
		},
	})
}

type baseSet struct {
	tunnels bool
}

func (*baseSet) Init(*meter.Packet, *meter.Flow)   {}
func (*baseSet) Update(*meter.Packet, *meter.Flow) {}
func (*baseSet) Expire(*meter.Flow)                {}

func (b *baseSet) Columns() Schema {
	s := Schema{
		{Name: "id", Kind: Int, Doc: "flow id: 0, 1, 2, … in emission order"},
		{Name: "expiration_id", Kind: Int, Doc: "0 idle timeout or end of input, 1 active timeout, 2 evicted from a full flow table (max_active_flows/memory_limit), -1 custom"},
		{Name: "src_ip", Kind: String, Doc: "source address of the first packet"},
		{Name: "src_mac", Kind: String, Doc: "source MAC of the first packet (zeros when the link has none)"},
		{Name: "src_oui", Kind: String, Doc: "first three bytes of src_mac"},
		{Name: "src_port", Kind: Int, Doc: "source port of the first packet (0 for non TCP/UDP)"},
		{Name: "dst_ip", Kind: String, Doc: "destination address of the first packet"},
		{Name: "dst_mac", Kind: String, Doc: "destination MAC of the first packet"},
		{Name: "dst_oui", Kind: String, Doc: "first three bytes of dst_mac"},
		{Name: "dst_port", Kind: Int, Doc: "destination port of the first packet (0 for non TCP/UDP)"},
		{Name: "protocol", Kind: Int, Doc: "IP protocol number of the (inner) header"},
		{Name: "ip_version", Kind: Int, Doc: "4 or 6"},
		{Name: "vlan_id", Kind: Int, Doc: "innermost 802.1Q VLAN id, 0 if none"},
	}
	if b.tunnels {
		s = append(s, Column{Name: "tunnel_id", Kind: Int, Doc: "0 none, 1 GTP-U, 2 CAPWAP, 3 TZSP"})
	}
	for _, d := range []struct{ prefix, what string }{
		{"bidirectional", "all packets"},
		{"src2dst", "src→dst packets"},
		{"dst2src", "dst→src packets (0 when none)"},
	} {
		s = append(s,
			Column{Name: d.prefix + "_first_seen_ms", Kind: Int, Doc: "time of the first of " + d.what + ", ms since the epoch"},
			Column{Name: d.prefix + "_last_seen_ms", Kind: Int, Doc: "time of the last of " + d.what + ", ms since the epoch"},
			Column{Name: d.prefix + "_duration_ms", Kind: Int, Doc: "last − first seen of " + d.what + ", ms"},
			Column{Name: d.prefix + "_packets", Kind: Int, Doc: "number of " + d.what},
			Column{Name: d.prefix + "_bytes", Kind: Int, Doc: "bytes of " + d.what + " per accounting_mode"},
		)
	}
	return s
}

func (b *baseSet) Fill(id int64, f *meter.Flow, dst []Value) {
	i := 0
	put := func(v Value) { dst[i] = v; i++ }
	put(IntValue(id))
	put(IntValue(int64(f.ExpirationID)))
	put(StringValue(FormatIP(f.SrcIP())))
	src := FormatMAC(f.SrcMAC)
	put(StringValue(src))
	put(StringValue(src[:8]))
	put(IntValue(int64(f.SrcPort)))
	put(StringValue(FormatIP(f.DstIP())))
	dstMAC := FormatMAC(f.DstMAC)
	put(StringValue(dstMAC))
	put(StringValue(dstMAC[:8]))
	put(IntValue(int64(f.DstPort)))
	put(IntValue(int64(f.Protocol)))
	put(IntValue(int64(f.IPVersion)))
	put(IntValue(int64(f.VLAN)))
	if b.tunnels {
		put(IntValue(int64(f.Tunnel)))
	}
	put(IntValue(int64(f.FirstSeen)))
	put(IntValue(int64(f.LastSeen)))
	put(IntValue(int64(f.LastSeen - f.FirstSeen)))
	put(IntValue(int64(f.Packets)))
	put(IntValue(int64(f.Bytes)))
	for _, d := range []*meter.Direction{&f.Src2Dst, &f.Dst2Src} {
		put(IntValue(int64(d.FirstSeen)))
		put(IntValue(int64(d.LastSeen)))
		put(IntValue(int64(d.LastSeen - d.FirstSeen)))
		put(IntValue(int64(d.Packets)))
		put(IntValue(int64(d.Bytes)))
	}
}

const hexDigits = "0123456789abcdef"

// FormatMAC prints a MAC as NFStream does: lowercase, colon-separated.
func FormatMAC(m [6]byte) string {
	var b [17]byte
	for i, x := range m {
		if i > 0 {
			b[i*3-1] = ':'
		}
		b[i*3] = hexDigits[x>>4]
		b[i*3+1] = hexDigits[x&0x0F]
	}
	return string(b[:])
}

// FormatIP prints an address as glibc's inet_ntop does. Go's netip differs
// for IPv4-compatible IPv6 addresses (::a.b.c.d), which glibc prints with a
// dotted tail.
func FormatIP(a netip.Addr) string {
	if a.Is6() && !a.Is4In6() {
		b := a.As16()
		allZero := true
		for _, x := range b[:12] {
			if x != 0 {
				allZero = false
				break
			}
		}
		// glibc: ::a.b.c.d when the first 96 bits are zero and the last
		// 32 bits are not 0.0.0.0 / 0.0.0.1 (those print as :: and ::1).
		if allZero && (b[12] != 0 || b[13] != 0) {
			return "::" + netip.AddrFrom4([4]byte(b[12:16])).String()
		}
	}
	return a.String()
}

// PassiveHook: base never forces expiry, so it may run in parallel meters.
func (*baseSet) PassiveHook() {}
