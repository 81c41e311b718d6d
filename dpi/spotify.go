package dpi

import "bytes"

// Spotify: the desktop client's LAN discovery broadcasts ("SpotUdp…"
// between UDP ports 57621) and the start of its TCP access-point protocol
// (00 04 00 00 .. .. 52 0e|0f 50).
type spotifyDissector struct{}

func (spotifyDissector) Name() string { return "Spotify" }

var protoSpotify = protoByName("Spotify")

const spotifyPort = 57621

func (spotifyDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	switch p.Protocol {
	case 17:
		if p.SrcPort == spotifyPort && p.DstPort == spotifyPort && bytes.HasPrefix(b, []byte("SpotUdp")) {
			st.SetProtocol(protoSpotify, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	case 6:
		if len(b) >= 9 && b[0] == 0 && b[1] == 4 && b[2] == 0 && b[3] == 0 && b[6] == 0x52 &&
			(b[7] == 0x0e || b[7] == 0x0f) && b[8] == 0x50 {
			st.SetProtocol(protoSpotify, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: spotifyDissector{}, Transport: TCPUDP, Proto: protoSpotify, Order: orderOf("spotify")})
}
