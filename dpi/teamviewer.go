package dpi

// TeamViewer: traffic to or from its own address blocks (95.211.37.195-203,
// 178.77.120.0/25, as nDPI's dissector lists them); packets of its
// protocol (17 24 command header over TCP, or at offset 11 of UDP packets
// starting with a zero sequence byte), decided at once on port 5938 or on
// the fourth such packet.
type teamviewerDissector struct{}

func (teamviewerDissector) Name() string { return "TeamViewer" }

var protoTeamViewer = protoByName("TeamViewer")

type teamviewerFlow struct{ stage uint8 }

var teamviewerID DissectorID

func isTeamViewerAddr(p *Packet) bool {
	for _, a := range [2][4]byte{p.SrcIP.As4(), p.DstIP.As4()} {
		v := be32(a[:])
		if v >= 1607673283 && v <= 1607673291 || v&0xffffff80 == 0xb24d7800 {
			return true
		}
	}
	return false
}

func (teamviewerDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.IPVersion == 4 && isTeamViewerAddr(p) {
		return teamviewerFound(st)
	}
	s, _ := st.Data(teamviewerID).(*teamviewerFlow)
	bump := func() bool {
		if s == nil {
			s = &teamviewerFlow{}
			st.SetData(teamviewerID, s)
		}
		s.stage++
		return s.stage == 4
	}
	if p.Protocol == 17 {
		if len(b) > 13 && b[0] == 0 && b[11] == 0x17 && b[12] == 0x24 {
			if bump() || hasPort(p, 5938) {
				return teamviewerFound(st)
			}
			return NeedMore
		}
		return NotMine
	}
	if len(b) > 2 {
		if b[0] == 0x17 && b[1] == 0x24 {
			if bump() || hasPort(p, 5938) {
				return teamviewerFound(st)
			}
			return NeedMore
		}
		if s != nil && s.stage > 0 {
			if b[0] == 0x11 && b[1] == 0x30 && bump() {
				return teamviewerFound(st)
			}
			return NeedMore
		}
	}
	return NotMine
}

func teamviewerFound(st *State) Verdict {
	st.SetProtocol(protoTeamViewer, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	teamviewerID = register(Spec{Dissector: teamviewerDissector{}, Transport: TCPUDP, Proto: protoTeamViewer, Order: orderOf("teamviewer")})
}
