package dpi

import "bytes"

// RTSP: a request or status line ending in "RTSP/1.0" (first line of a
// CRLF-split message), or RTSP tunnelled in HTTP (Accept/Content-Type
// application/x-rtsp-tunnelled); otherwise, once both sides spoke, an
// answer starting "RTSP/1.0 " or naming an rtsp:// URL in its first 31
// bytes. (nDPI's HTTP dissector steps aside for "METHOD rtsp://…"
// requests; see the report for the HTTP side.)
type rtspDissector struct{}

func (rtspDissector) Name() string { return "RTSP" }

var protoRTSP = protoByName("RTSP")

type rtspFlow struct{ stage uint8 }

var rtspID DissectorID

// firstLineEndsWith reports whether b has a CRLF and its first line ends
// with suffix.
func firstLineEndsWith(b []byte, suffix string) bool {
	i := bytes.Index(b, []byte("\r\n"))
	return i >= 0 && bytes.HasSuffix(b[:i], []byte(suffix))
}

func headerEndsWith(b []byte, prefix string, minLen int, suffix string) bool {
	v, ok := textHeader(b, prefix, minLen)
	return ok && bytes.HasSuffix(v, []byte(suffix))
}

func (rtspDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if firstLineEndsWith(b, "RTSP/1.0") ||
		headerEndsWith(b, "Accept:", 7, "application/x-rtsp-tunnelled") ||
		headerEndsWith(b, "Content-Type:", 13, "application/x-rtsp-tunnelled") {
		return rtspFound(st)
	}
	dir := ndpiDirection(p)
	s, _ := st.Data(rtspID).(*rtspFlow)
	if s == nil {
		st.SetData(rtspID, &rtspFlow{stage: 1 + dir})
		return NeedMore
	}
	if payloadCounter(st) < 3 && s.stage == 1+dir {
		return NeedMore
	}
	if len(b) > 20 && s.stage == 2-dir {
		head := b[:min(len(b), 31)]
		if bytes.HasPrefix(b, []byte("RTSP/1.0 ")) || cContains(head, "rtsp://") {
			return rtspFound(st)
		}
	}
	if p.Protocol == 17 && (!st.excludedProto(protoRTP) || !st.excludedProto(protoRTCP)) {
		return NeedMore
	}
	return NotMine
}

func rtspFound(st *State) Verdict {
	// nDPI keeps a master protocol already set; none is at this point.
	st.SetProtocol(protoRTSP, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	rtspID = register(Spec{Dissector: rtspDissector{}, Transport: TCPUDP, Proto: protoRTSP, Order: orderOf("rtsp")})
}
