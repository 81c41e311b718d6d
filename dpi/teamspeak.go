package dpi

import "bytes"

// TeamSpeak: TeamSpeak 3's "TS3INIT1" over UDP, TeamSpeak 2's f4 be
// 01..03 00 connection packets over TCP, and the license/weblist exchange
// (small 0x01-framed UDP packets) decided on the third packet.
type teamspeakDissector struct{}

func (teamspeakDissector) Name() string { return "TeamSpeak" }

var protoTeamSpeak = protoByName("TeamSpeak")

func (teamspeakDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) >= 20 {
		if p.Protocol == 17 && bytes.HasPrefix(b, []byte("TS3INIT1")) ||
			p.Protocol == 6 && b[0] == 0xf4 && b[1] == 0xbe && b[2] >= 1 && b[2] <= 3 && b[3] == 0 {
			st.SetProtocol(protoTeamSpeak, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	}
	if p.Protocol == 17 && len(b) > 0 && b[0] == 0x01 {
		license := len(b) == 16 && b[3] == 0x02 && be32(b[11:]) == 0 && b[15] == 0 ||
			(len(b) == 4 || len(b) == 8) && b[3] == 0x01 ||
			len(b) == 5 && b[3] == 0x02 && b[4] == 0
		if license {
			switch c := payloadCounter(st); {
			case c == 3:
				st.SetProtocol(protoTeamSpeak, ProtoUnknown, ConfidenceDPI)
				return Done
			case c > 3:
				return NotMine
			}
			return NeedMore
		}
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: teamspeakDissector{}, Transport: TCPUDP, Proto: protoTeamSpeak, Order: orderOf("teamspeak")})
}
