package features

import (
	"strings"
	"testing"
)

// Fuzz targets for the plugins' parsers: none may panic on any bytes, and
// what they return must be consistent. Seeds are well-formed messages from
// the plugins' tests plus classic edge cases.

// FuzzParseTLSHello: the strict hello reader and the JA4/JA4S built from it.
func FuzzParseTLSHello(f *testing.F) {
	f.Add(specExampleHello())
	f.Add(serverHelloMsg(0x0303, 0xc030, []testExt{{0x0005, nil}, {0xff01, []byte{0}}}))
	f.Add(clientHelloMsg(0x0303, nil, []testExt{alpnExt(""), {0x002b, []byte{0}}}))
	f.Add([]byte{1, 0, 0, 0})
	f.Add([]byte{2, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, msg []byte) {
		if h, err := parseHello(msg, true); err == nil {
			_ = ja4Fingerprint(&h, 'd')
		}
		h, err := parseTLSHello(msg)
		if err != nil {
			return
		}
		var fp string
		if h.client {
			fp = ja4Fingerprint(&h, 't')
		} else {
			fp = ja4sFingerprint(&h, 'q')
		}
		if parts := strings.Split(fp, "_"); len(parts) != 3 {
			t.Fatalf("fingerprint %q has %d parts", fp, len(parts))
		}
	})
}

// FuzzNFStreamHello: the emulation of NFStream's JA4 parser, on both hello
// types, as a TCP payload.
func FuzzNFStreamHello(f *testing.F) {
	f.Add(record(specExampleHello()))
	f.Add(record(serverHelloMsg(0x0303, 0x1301, []testExt{{0x002b, u16s(0x0304)}, alpnExt("h2")})))
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0x05, 0x01})
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0x05, 0x02, 0, 0, 0, 0x03})
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, want := range []byte{1, 2} {
			fp, ok, err := nfstreamHello(payload, want)
			if ok && (err != nil || fp == "" || fp[0] != 't') {
				t.Fatalf("want %d: fingerprint %q with err %v", want, fp, err)
			}
		}
	})
}

// FuzzDNSAnswerPTRs: the dpkt-compatible DNS reader of the mdns plugin.
func FuzzDNSAnswerPTRs(f *testing.F) {
	// A response with one PTR answer pointing back into the question name.
	f.Add([]byte("\x00\x00\x84\x00\x00\x01\x00\x01\x00\x00\x00\x00" +
		"\x05_http\x04_tcp\x05local\x00\x00\x0c\x00\x01" +
		"\xc0\x0c\x00\x0c\x00\x01\x00\x00\x00\x78\x00\x07\x04host\xc0\x0c"))
	f.Add([]byte("\xc0\x00\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\xc0\x00"))
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x10\x00\x01\x00\x00\x00\x00\x00\x03\x02a,"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		names, err := dnsAnswerPTRs(msg, nil)
		if err != nil && len(names) != 0 {
			t.Fatalf("error %v with %d names", err, len(names))
		}
		for _, n := range names {
			if len(n) > 4*255 {
				t.Fatalf("name of %d bytes", len(n))
			}
		}
	})
}

// FuzzParseDHCP: the dpkt-compatible DHCP reader of the dhcp plugin.
func FuzzParseDHCP(f *testing.F) {
	msg := make([]byte, dhcpFixedLen)
	msg[0], msg[1], msg[2] = 1, 1, 6
	copy(msg[236:], []byte{99, 130, 83, 99})
	f.Add(append(append([]byte(nil), msg...), 53, 1, 3, 50, 4, 192, 168, 0, 10, 55, 4, 1, 3, 6, 42, 12, 3, 'p', 'c', 0xff, 0xff))
	f.Add(append(append([]byte(nil), msg...), 57, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 53, 1, 9, 0, 60))
	f.Add(msg[:100])
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseDHCP(b, nil)
		if err == nil && len(b) < dhcpFixedLen {
			t.Fatalf("accepted a %d-byte message", len(b))
		}
		if m.msgType != 0 {
			_ = dhcpMsgTypeText(m.msgType)
		}
		if m.requestedIPSet && m.requestedIP == "" {
			t.Fatalf("empty requested address")
		}
	})
}

// FuzzQUICInitial: the UDP side of ja4's spec mode — long-header walking,
// Initial decryption with the first destination connection id, CRYPTO
// frame reassembly, and DTLS records.
func FuzzQUICInitial(f *testing.F) {
	if seed, err := sealInitialPacket(mustHex("8394c8f03e515708"), specExampleHello()); err == nil {
		f.Add(seed)
	}
	f.Add([]byte{0xc0, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0x41, 0})
	f.Add([]byte{0xc0, 0xff, 0, 0, 0x1d, 0, 0, 0, 0})
	f.Add(dtlsClientHello())
	f.Fuzz(func(t *testing.T, d []byte) {
		var st ja4State
		dtlsDatagram(d, &st)
		st.spec.quic.datagram(d, 0, &st)
		st.spec.quic.datagram(d, 1, &st)
		var s cryptoStream
		_ = s.addFrames(d)
		if c := s.contiguous(); len(c) > maxCryptoBytes {
			t.Fatalf("reassembled %d bytes", len(c))
		}
	})
}
