package dpi

import "net/netip"

// HSRP (Cisco Hot Standby Router Protocol) over UDP between ports 1985 to
// 224.0.0.2 (version 0) or 224.0.0.102 (version 2), or 2029 to ff02::66.
type hsrpDissector struct{}

func (hsrpDissector) Name() string { return "HSRP" }

var (
	protoHSRP = protoByName("HSRP")

	hsrpV0Group = netip.AddrFrom4([4]byte{224, 0, 0, 2})
	hsrpV2Group = netip.AddrFrom4([4]byte{224, 0, 0, 102})
	hsrpV6Group = netip.MustParseAddr("ff02::66")
)

func (hsrpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	found := false
	if p.IPVersion == 6 {
		found = p.SrcPort == 2029 && p.DstPort == 2029 && b[0] <= 4 && p.DstIP == hsrpV6Group
	} else if p.SrcPort == 1985 && p.DstPort == 1985 {
		found = p.DstIP == hsrpV0Group && len(b) >= 20 && b[0] == 0 && b[7] == 0 ||
			len(b) >= 42 && b[2] == 2 && b[5] == 4 && p.DstIP == hsrpV2Group
	}
	if !found {
		return NotMine
	}
	st.SetProtocol(protoHSRP, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: hsrpDissector{}, Transport: UDP, Proto: protoHSRP, Order: orderOf("hsrp")})
}
