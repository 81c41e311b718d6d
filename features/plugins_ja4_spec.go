package features

import (
	"bytes"

	"github.com/nfdataset/nfdataset/meter"
)

// The ja4 plugin's spec=true mode: find the ClientHello and the ServerHello
// wherever they are in the flow, over TCP (records reassembled per
// direction, in arrival order) or QUIC (Initial packets decrypted, CRYPTO
// frames reassembled), IPv4 or IPv6.

// maxTLSBytes bounds the TCP bytes buffered per direction while looking
// for a hello.
const maxTLSBytes = 64 << 10

type ja4SpecState struct {
	tcp  [2]tlsStream
	quic ja4QUIC
}

func (s *ja4SpecState) reset() {
	s.tcp[0].reset()
	s.tcp[1].reset()
	s.quic.reset()
}

// packet reads one packet of the flow into st's fingerprints.
func (s *ja4SpecState) packet(p *meter.Packet, _ *meter.Flow, st *ja4State) {
	if st.client != "" && st.server != "" {
		return
	}
	payload := p.Payload()
	if len(payload) == 0 {
		return
	}
	switch p.Protocol {
	case 6:
		if msg, ok := s.tcp[p.Direction&1].feed(payload); ok {
			st.record(msg, 't')
		}
	case 17:
		if len(payload) >= 13 && payload[0] == 0x16 && payload[1] == 0xfe {
			dtlsDatagram(payload, st)
			return
		}
		s.quic.datagram(payload, p.Direction&1, st)
	}
}

// dtlsDatagram fingerprints the unfragmented hellos of a DTLS datagram
// (records: type, version, epoch, sequence number, length; handshake:
// type, length, message sequence, fragment offset and length).
func dtlsDatagram(d []byte, st *ja4State) {
	for len(d) >= 13 {
		n := int(d[11])<<8 | int(d[12])
		if len(d) < 13+n {
			return
		}
		rec := d[13 : 13+n]
		d = d[13+n:]
		if d := rec; len(d) < 12 || (d[0] != 1 && d[0] != 2) {
			continue
		}
		length := int(rec[1])<<16 | int(rec[2])<<8 | int(rec[3])
		offset := int(rec[6])<<16 | int(rec[7])<<8 | int(rec[8])
		fragment := int(rec[9])<<16 | int(rec[10])<<8 | int(rec[11])
		if offset != 0 || fragment != length || len(rec) < 12+length {
			continue // a fragmented hello: not reassembled
		}
		msg := append([]byte{rec[0], rec[1], rec[2], rec[3]}, rec[12:12+length]...)
		h, err := parseHello(msg, true)
		if err != nil {
			continue
		}
		switch {
		case h.client && st.client == "":
			st.client = ja4Fingerprint(&h, 'd')
		case !h.client && st.server == "":
			st.server = ja4sFingerprint(&h, 'd')
		}
	}
}

// record fingerprints a complete handshake message, keeping the first
// hello of each kind.
func (st *ja4State) record(msg []byte, proto byte) {
	h, err := parseTLSHello(msg)
	if err != nil {
		return
	}
	switch {
	case h.client && st.client == "":
		st.client = ja4Fingerprint(&h, proto)
	case !h.client && st.server == "":
		st.server = ja4sFingerprint(&h, proto)
	}
}

// tlsStream collects the handshake bytes of one direction's TLS records
// until the first handshake message is complete. Anything that is not a
// handshake record ends the search for that direction.
type tlsStream struct {
	raw  []byte // record bytes not yet consumed
	hs   []byte // handshake protocol bytes
	done bool
}

func (s *tlsStream) reset() { s.raw, s.hs, s.done = s.raw[:0], s.hs[:0], false }

func (s *tlsStream) feed(payload []byte) ([]byte, bool) {
	if s.done {
		return nil, false
	}
	if len(s.raw)+len(payload) > maxTLSBytes {
		s.done = true
		return nil, false
	}
	s.raw = append(s.raw, payload...)
	for len(s.raw) >= 5 {
		if s.raw[0] != 0x16 || s.raw[1] != 0x03 {
			s.done = true
			return nil, false
		}
		n := int(s.raw[3])<<8 | int(s.raw[4])
		if len(s.raw) < 5+n {
			break
		}
		s.hs = append(s.hs, s.raw[5:5+n]...)
		s.raw = s.raw[:copy(s.raw, s.raw[5+n:])]
	}
	msg, ok := handshakeMessage(s.hs)
	if ok {
		s.done = true
	}
	return msg, ok
}

// ja4QUIC follows a QUIC connection's Initial packets: the first Initial
// seen is the client's, and its destination connection id gives the keys of
// both directions (keys is nil until then).
type ja4QUIC struct {
	version uint32
	dcid    []byte
	keys    [2]*quicKeys // by direction
	crypto  [2]cryptoStream
	done    [2]bool
	failed  bool
}

func (q *ja4QUIC) reset() {
	q.version, q.dcid = 0, q.dcid[:0]
	q.keys = [2]*quicKeys{}
	q.crypto[0].reset()
	q.crypto[1].reset()
	q.done = [2]bool{}
	q.failed = false
}

func (q *ja4QUIC) datagram(d []byte, dir uint8, st *ja4State) {
	if q.failed || q.done[dir] {
		return
	}
	initials, _ := quicInitials(d)
	for _, p := range initials {
		if q.keys[0] == nil {
			// The first Initial seen is the client's.
			info, _ := quicVersion(p.version)
			client, err := quicInitialKeys(info, p.dcid, false)
			if err != nil {
				q.failed = true
				return
			}
			server, err := quicInitialKeys(info, p.dcid, true)
			if err != nil {
				q.failed = true
				return
			}
			q.version, q.dcid = p.version, append(q.dcid[:0], p.dcid...)
			q.keys[dir], q.keys[1-dir] = client, server
		}
		if p.version != q.version {
			continue
		}
		frames, err := q.keys[dir].open(p)
		if err != nil {
			continue
		}
		if err := q.crypto[dir].addFrames(frames); err != nil {
			q.done[dir] = true
			return
		}
		if msg, ok := handshakeMessage(q.crypto[dir].contiguous()); ok {
			q.done[dir] = true
			st.record(bytes.Clone(msg), 'q')
			return
		}
	}
}
