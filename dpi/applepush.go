package dpi

import "net/netip"

// Apple Push Notification service: TCP to or from Apple's 17.0.0.0/8 (or
// its push IPv6 blocks) on port 5223 or 2197.
type applePushDissector struct{}

func (applePushDissector) Name() string { return "ApplePush" }

var (
	protoApplePush = protoByName("ApplePush")

	applePushV6 = [...]netip.Prefix{
		netip.MustParsePrefix("2620:149:a44::/48"), netip.MustParsePrefix("2403:300:a42::/48"),
		netip.MustParsePrefix("2403:300:a51::/48"), netip.MustParsePrefix("2a01:b740:a42::/48"),
	}
)

func isApplePushAddr(a netip.Addr) bool {
	if a.Is4() {
		return a.As4()[0] == 17
	}
	for _, pfx := range applePushV6 {
		if pfx.Contains(a) {
			return true
		}
	}
	return false
}

func (applePushDissector) Dissect(p *Packet, st *State) Verdict {
	if (isApplePushAddr(p.SrcIP) || isApplePushAddr(p.DstIP)) && (hasPort(p, 5223) || hasPort(p, 2197)) {
		st.SetProtocol(protoApplePush, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: applePushDissector{}, Transport: TCP, Proto: protoApplePush, Order: orderOf("apple_push")})
}
