package dpi

// RTP (RFC 3550) over UDP: version 2 (first byte 0x80, 0x90 with an
// extension, 0xA0 with padding), an IANA payload type that is not an RTCP
// type. Zoom's own encapsulation on port 8801 gives RTP.Zoom, and
// Microsoft's payload types (with the marker bit) Skype_Teams. Flows that
// already sent STUN binding requests are left to STUN.
type rtpDissector struct{}

func (rtpDissector) Name() string { return "RTP" }

var protoRTP = protoByName("RTP")

const zoomPort = 8801

func (rtpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if hasPort(p, 30303) || p.DstPort <= 1023 { // 30303: Ethereum looks alike
		return NotMine
	}
	if len(b) < 2 || p.DstPort == 5355 || p.DstPort == 5353 {
		return NotMine
	}
	if s, _ := st.Data(stunID).(*stunFlow); s != nil && s.bindingRequests > 0 {
		return NotMine
	}
	if isZoomMedia(p, b) {
		st.SetProtocol(protoZoom, protoRTP, ConfidenceDPI)
		return Done
	}
	if len(b) < 12 || b[0] != 0x80 && b[0] != 0xa0 && b[0] != 0x90 {
		return NotMine
	}
	pt := b[1] & 0x7f
	if (pt < 72 || pt > 76) && (pt <= 34 || pt >= 96) {
		st.SetProtocol(ProtoUnknown, protoRTP, ConfidenceDPI)
		return Done
	}
	if msRTPKind(b[1]) == 1 {
		st.SetProtocol(protoSkypeTeams, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

// isZoomMedia recognises Zoom's SFU encapsulation (type 3..5) on port 8801
// followed by a media header (23 bytes in all).
func isZoomMedia(p *Packet, b []byte) bool {
	if len(b) < 23 || !hasPort(p, zoomPort) || b[0] < 3 || b[0] > 5 {
		return false
	}
	offset := 0 // media types nDPI does not know: it reads no offset
	switch b[8] {
	case 13, 30, 15: // screen share, audio
		offset = 27
	case 16: // video
		offset = 32
	case 33, 34, 35: // RTCP
		offset = 36
	}
	return offset < len(b)
}

// msRTPKind classifies Microsoft Lync/Skype payload-type bytes: 1 RTP,
// 2 RTCP, 0 unknown.
func msRTPKind(t byte) int {
	switch t {
	case 0, 3, 4, 8, 9, 13, 96, 97, 98, 101, 103, 104, 111, 112, 114, 115, 116, 117, 118,
		34, 121, 122, 123, 127:
		return 1
	case 200, 201, 202, 203:
		return 2
	}
	return 0
}

func init() {
	register(Spec{Dissector: rtpDissector{}, Transport: UDP, Proto: protoRTP, Order: orderOf("rtp")})
}
