package dpi

// WhatsApp's chat connections open with a protocol header: "WA" and a
// version ("WA\x01\x05"), or the Noise-based "ED\x00\x01\x00\x00" + 04/02
// + 08, possibly split over several packets. nDPI decides within the
// first three packets with payload.
type whatsappDissector struct{}

func (whatsappDissector) Name() string { return "WhatsApp" }

var protoWhatsApp = protoByName("WhatsApp")

var whatsappHeaders = [...]string{"ED\x00\x01\x00\x00\x04\x08", "ED\x00\x01\x00\x00\x02\x08"}

// waFlow counts the header bytes matched so far (nDPI's wa_matched_so_far).
type waFlow struct{ matched int }

var waID DissectorID

func (whatsappDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if payloadCounter(st) > 3 {
		return NotMine
	}
	s, _ := st.Data(waID).(*waFlow)
	matched := 0
	if s != nil {
		matched = s.matched
	}
	if matched == 0 && len(b) > 4 && string(b[:4]) == "WA\x01\x05" {
		st.SetProtocol(protoWhatsApp, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	for _, h := range whatsappHeaders {
		if matched >= len(h) {
			continue
		}
		n := min(len(h)-matched, len(b))
		if string(b[:n]) != h[matched:matched+n] {
			continue
		}
		matched += n
		if s == nil {
			s = &waFlow{}
			st.SetData(waID, s)
		}
		s.matched = matched
		if matched == len(h) {
			st.SetProtocol(protoWhatsApp, ProtoUnknown, ConfidenceDPI)
			return Done
		}
		return NeedMore
	}
	return NotMine
}

func init() {
	waID = register(Spec{Dissector: whatsappDissector{}, Transport: TCP, Proto: protoWhatsApp, Order: orderOf("whatsapp")})
}
