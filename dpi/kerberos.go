package dpi

// Kerberos v5 on port 88 (UDP, or TCP with a 4-byte record length): the
// KDC message's msg-type, the first one-byte INTEGER field ("03 02 01 xx"
// at offset 8-15) that is not the pvno 5, is AS-REQ (0x0a), TGS-REQ
// (0x0c), TGS-REP (0x0d), AP-REQ (0x0e) or KRB-ERROR (0x1e). A TCP record split over
// several segments is put back together first. (nDPI also extracts the
// realm and principal names, which NFStream does not report.)
type kerberosDissector struct{}

func (kerberosDissector) Name() string { return "Kerberos" }

var protoKerberos = protoByName("Kerberos")

const kerberosMaxRecord = 12000

// krbFlow holds a TCP record being reassembled.
type krbFlow struct {
	buf  []byte
	want int
}

var krbID DissectorID

func (kerberosDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if !hasPort(p, 88) {
		return NotMine
	}
	if s, _ := st.Data(krbID).(*krbFlow); s != nil && s.buf != nil {
		if len(b) <= s.want-len(s.buf) {
			s.buf = append(s.buf, b...)
			if len(s.buf) < s.want {
				return NeedMore
			}
			b = s.buf
			s.buf = nil
		}
	}
	if len(b) < 4 {
		return NotMine
	}
	base, recLen, have := 0, len(b), len(b)
	if p.Protocol == 6 {
		base, recLen, have = 4, int(be32(b)), len(b)-4
		if be32(b) >= kerberosMaxRecord {
			return NotMine
		}
	}
	if recLen >= kerberosMaxRecord {
		return NotMine
	}
	if recLen > have {
		if p.Protocol == 6 {
			s, _ := st.Data(krbID).(*krbFlow)
			if s == nil {
				s = &krbFlow{}
				st.SetData(krbID, s)
			}
			if s.buf == nil {
				s.want = recLen + 4
				s.buf = append(make([]byte, 0, s.want), b...)
			}
		}
		return NeedMore
	}
	if recLen != have || len(b) <= 64 {
		return NotMine
	}
	i := 8
	for ; i < 16; i++ {
		o := base + i
		if b[o] == 0x03 && b[o+1] == 0x02 && b[o+2] == 0x01 && b[o+3] != 0x05 {
			break
		}
	}
	switch b[base+i+3] {
	case 0x0a, 0x0c, 0x0d, 0x0e, 0x1e:
		st.SetProtocol(protoKerberos, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	krbID = register(Spec{Dissector: kerberosDissector{}, Transport: TCPUDP, Proto: protoKerberos, Order: orderOf("kerberos")})
}
