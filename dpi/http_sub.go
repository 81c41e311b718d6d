package dpi

import "bytes"

// HTTP's sub-protocol dissectors: SOAP, MapleStory, IPP and MpegDash.
//
// nDPI runs them like any dissector on an undetected flow, and once more in
// the packet where HTTP is detected: after the detecting call, the
// sub-protocols registered for the detected app, then for the master, get
// their turn on the same packet (nDPI's check_ndpi_subprotocols), in the
// order CROSSFIRE, SOAP, BITTORRENT, GNUTELLA, MAPLESTORY, ZATTOO,
// WORLDOFWARCRAFT, IRC, IPP, MPEGDASH, RTSP. A detected flow is never
// offered to them again: later packets go to HTTP's extra dissection only.
// That second chance is how "HTTP.MpegDash" or "HTTP.IPP" arise, since
// these dissectors ask for an HTTP flow.

var (
	protoSOAP       = protoByName("SOAP")
	protoMapleStory = protoByName("MapleStory")
	protoIPP        = protoByName("IPP")
	protoMpegDash   = protoByName("MpegDash")
)

// httpSubprotocols lists nDPI's sub-protocols of HTTP in calling order; an
// entry without a dissector here is skipped.
var httpSubprotocols = [...]string{"Crossfire", "SOAP", "BitTorrent", "Gnutella", "MapleStory", "Zattoo",
	"WorldOfWarcraft", "IRC", "IPP", "MpegDash", "RTSP"}

var httpSubIDs = func() []ProtoID {
	ids := make([]ProtoID, 0, len(httpSubprotocols))
	for _, n := range httpSubprotocols {
		if id, ok := protoByNm[n]; ok {
			ids = append(ids, id)
		}
	}
	return ids
}()

// httpRunSubprotocols gives HTTP's sub-protocol dissectors their turn on
// the packet in which HTTP detected the flow. The stack is read again
// before the master's round, as nDPI does, so a dissector that set
// SOAP/HTTP leaves the others a second call.
func httpRunSubprotocols(p *Packet, st *State) {
	self := st.current
	for round := 0; round < 2; round++ {
		top := st.app
		if round == 1 {
			top = st.master
		}
		if top != protoHTTP {
			continue
		}
		for _, sub := range httpSubIDs {
			if sub == st.app || sub == st.master {
				continue
			}
			i := dissectorFor(sub)
			if i < 0 || st.excluded(i) || registry[i].spec.Transport&TCP == 0 {
				continue
			}
			st.current = int16(i)
			v := registry[i].spec.Dissector.Dissect(p, st)
			st.current = self
			if v == NotMine {
				st.exclude(i)
			}
		}
	}
}

// forEachLine calls fn for the header lines nDPI's line parser finds in pl
// (CRLF-separated, at most 64, then the unterminated rest once a line was
// seen) until fn returns false or an empty line is reached, which is
// where nDPI's sub-protocol loops stop.
func forEachLine(pl []byte, fn func(line []byte) bool) {
	if len(pl) < 3 {
		return
	}
	start, n := 0, 0
	for a := nextCRLF(pl, 0); a >= 0; a = nextCRLF(pl, start) {
		line := pl[start:a]
		if len(line) == 0 || !fn(line) {
			return
		}
		n++
		if n >= 64 {
			return
		}
		start = a + 2
	}
	if n >= 1 && start < len(pl) {
		fn(pl[start:])
	}
}

// firstLine returns nDPI's line[0] of pl: the bytes before the first CRLF,
// or nil when the packet has no CRLF (no lines are parsed then).
func firstLine(pl []byte) ([]byte, bool) {
	if len(pl) < 3 {
		return nil, false
	}
	i := bytes.Index(pl, []byte("\r\n"))
	if i < 0 {
		return nil, false
	}
	return pl[:i], true
}

// setKeepingMaster is nDPI's "keeping master" detection: proto becomes the
// app over the current master (or over the current app when there is no
// master), or the only protocol of an undetected flow.
func setKeepingMaster(st *State, proto ProtoID) {
	m := st.master
	if m == ProtoUnknown {
		m = st.app
	}
	st.SetProtocol(proto, m, ConfidenceDPI)
}

func isHTTPStack(st *State) bool { return st.app == protoHTTP || st.master == protoHTTP }

// SOAP: a header line starting "SOAPAction", or a flow whose first payload
// starts with an XML declaration and that is still undetected after its
// fourth payload packet.
type soapDissector struct{}

func (soapDissector) Name() string { return "SOAP" }

var soapID DissectorID

const soapXMLStart = `<?xml version="1.0"`

func (soapDissector) Dissect(p *Packet, st *State) Verdict {
	found := false
	forEachLine(p.Payload, func(line []byte) bool {
		found = bytes.HasPrefix(line, []byte("SOAPAction"))
		return !found
	})
	if found {
		setKeepingMaster(st, protoSOAP)
		return Done
	}
	xml := st.Data(soapID) != nil
	if payloadCounter(st) > 3 {
		if xml {
			setKeepingMaster(st, protoSOAP)
			return Done
		}
		return NotMine
	}
	if !xml && bytes.HasPrefix(p.Payload, []byte(soapXMLStart)) {
		// A one-byte marker: converting it to an interface does not allocate.
		st.SetData(soapID, true)
	}
	return NeedMore
}

// MapleStory: a 16-byte login packet of known opcodes, or the game's
// HTTP patcher ("GET /maple/patch…" with User-Agent "Patcher" and a host
// "patch.…") and web requests ("GET /maplestory/" with User-Agent
// "AspINet").
type mapleStoryDissector struct{}

func (mapleStoryDissector) Name() string { return "MapleStory" }

func (mapleStoryDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) == 16 {
		op := be32(b)
		if (op == 0x0e003a00 || op == 0x0e003b00 || op == 0x0e004200) && be16(b[4:]) == 0x0100 && (b[6] == 0x32 || b[6] == 0x33) {
			st.SetProtocol(protoMapleStory, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	}
	const get = "GET /maple"
	if len(b) > len(get) && string(b[:len(get)]) == get {
		var l httpLines
		parseHTTPLines(b, &l)
		if len(b) > len("GET /maple/patch") && b[len(get)] == '/' {
			if l.haveUA && l.haveHost && string(l.ua) == "Patcher" && len(l.host) > len("patch.") &&
				string(b[len(get)+1:len(get)+6]) == "patch" && string(l.host[:6]) == "patch." {
				st.SetProtocol(protoMapleStory, ProtoUnknown, ConfidenceDPI)
				return Done
			}
		} else if l.haveUA && string(l.ua) == "AspINet" && len(b) >= len(get)+6 && string(b[len(get):len(get)+6]) == "story/" {
			st.SetProtocol(protoMapleStory, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	}
	return NotMine
}

// IPP: printing over HTTP, a POST whose URL starts "/ipp/". Only a flow
// HTTP has just detected qualifies.
type ippDissector struct{}

func (ippDissector) Name() string { return "IPP" }

func (ippDissector) Dissect(p *Packet, st *State) Verdict {
	if st.app == protoHTTP {
		if h, _ := st.Data(httpID).(*httpFlow); h != nil && h.post && bytes.HasPrefix(h.pktURL, []byte("/ipp/")) {
			st.SetProtocol(protoIPP, protoHTTP, ConfidenceDPI)
			return Done
		}
	}
	return NotMine
}

// MpegDash: on an HTTP flow, a first line ending "RTSP/1.0", ".mp4
// HTTP/1.1" or ".m4s HTTP/1.1", or a header line starting "DASH" or a
// "Content-Type:" ending "video/mp4". A flow that is not HTTP by its third
// payload packet is dropped.
type mpegDashDissector struct{}

func (mpegDashDissector) Name() string { return "MpegDash" }

func (mpegDashDissector) Dissect(p *Packet, st *State) Verdict {
	if !isHTTPStack(st) {
		if payloadCounter(st) > 2 {
			return NotMine
		}
		return NeedMore
	}
	if l0, ok := firstLine(p.Payload); ok {
		if bytes.HasSuffix(l0, []byte("RTSP/1.0")) || bytes.HasSuffix(l0, []byte(".mp4 HTTP/1.1")) ||
			bytes.HasSuffix(l0, []byte(".m4s HTTP/1.1")) {
			setKeepingMaster(st, protoMpegDash)
			return Done
		}
	}
	found := false
	forEachLine(p.Payload, func(line []byte) bool {
		found = (bytes.HasPrefix(line, []byte("Content-Type:")) && bytes.HasSuffix(line, []byte("video/mp4"))) ||
			bytes.HasPrefix(line, []byte("DASH"))
		return !found
	})
	if found {
		setKeepingMaster(st, protoMpegDash)
		return Done
	}
	return NotMine
}

func init() {
	soapID = register(Spec{Dissector: soapDissector{}, Transport: TCP, Proto: protoSOAP, Order: orderOf("soap")})
	register(Spec{Dissector: mapleStoryDissector{}, Transport: TCP, Proto: protoMapleStory, Order: orderOf("maplestory")})
	register(Spec{Dissector: ippDissector{}, Transport: TCPUDP, Proto: protoIPP, Order: orderOf("ipp")})
	register(Spec{Dissector: mpegDashDissector{}, Transport: TCP, Proto: protoMpegDash, Order: orderOf("mpegdash")})
}
