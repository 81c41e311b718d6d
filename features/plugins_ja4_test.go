package features

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/meter"
)

// The hellos below are built field by field; the expected fingerprints are
// worked out by hand from the JA4 specification's own example
// (technical_details/JA4.md): its ciphers sort to
// "002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9"
// = 8daaf6152771, its extensions and signature algorithms give e5627efa2ab1,
// and JA4S.md's server hello gives t120400_c030_4e8089b08790.

type testExt struct {
	typ  uint16
	data []byte
}

func u16s(vs ...uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	return b
}

func prefixed(lenBytes int, b []byte) []byte {
	var out []byte
	if lenBytes == 1 {
		out = append(out, byte(len(b)))
	} else {
		out = binary.BigEndian.AppendUint16(out, uint16(len(b)))
	}
	return append(out, b...)
}

func sniExt(name string) testExt {
	entry := append([]byte{0}, prefixed(2, []byte(name))...)
	return testExt{0x0000, prefixed(2, entry)}
}

func alpnExt(protos ...string) testExt {
	var list []byte
	for _, p := range protos {
		list = append(list, prefixed(1, []byte(p))...)
	}
	return testExt{0x0010, prefixed(2, list)}
}

// handshake wraps a hello body in a handshake header.
func handshake(typ byte, body []byte) []byte {
	n := len(body)
	return append([]byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

func extensionsBlock(exts []testExt) []byte {
	var b []byte
	for _, e := range exts {
		b = binary.BigEndian.AppendUint16(b, e.typ)
		b = append(b, prefixed(2, e.data)...)
	}
	return prefixed(2, b)
}

func clientHelloMsg(version uint16, ciphers []uint16, exts []testExt) []byte {
	body := u16s(version)
	body = append(body, make([]byte, 32)...)      // random
	body = append(body, prefixed(1, []byte{})...) // session id
	body = append(body, prefixed(2, u16s(ciphers...))...)
	body = append(body, prefixed(1, []byte{0})...) // compression: null
	body = append(body, extensionsBlock(exts)...)
	return handshake(1, body)
}

func serverHelloMsg(version, cipher uint16, exts []testExt) []byte {
	body := u16s(version)
	body = append(body, make([]byte, 32)...)
	body = append(body, prefixed(1, []byte{})...)
	body = append(body, u16s(cipher)...)
	body = append(body, 0)
	body = append(body, extensionsBlock(exts)...)
	return handshake(2, body)
}

func record(msg []byte) []byte {
	return append([]byte{0x16, 0x03, 0x01, byte(len(msg) >> 8), byte(len(msg))}, msg...)
}

// specExampleHello is the ClientHello of JA4.md's example, with GREASE
// added (two adjacent GREASE ciphers, a GREASE extension, a GREASE version
// and signature algorithm) that every fingerprint must ignore.
func specExampleHello() []byte {
	ciphers := []uint16{0x0a0a, 0x1a1a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}
	exts := []testExt{
		{0x2a2a, nil},
		{0x001b, []byte{2, 0, 2}}, sniExt("example.com"), {0x0033, nil}, alpnExt("h2", "http/1.1"),
		{0x4469, nil}, {0x0017, nil}, {0x002d, nil},
		{0x000d, prefixed(2, u16s(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601))},
		{0x0005, nil}, {0x0023, nil}, {0x0012, nil},
		{0x002b, prefixed(1, u16s(0x3a3a, 0x0304, 0x0303))},
		{0xff01, []byte{0}}, {0x000b, nil}, {0x000a, nil}, {0x0015, nil},
	}
	return clientHelloMsg(0x0303, ciphers, exts)
}

func sha12Of(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:12]
}

func TestJA4SpecHandComputed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		msg   []byte
		proto byte
		want  string
	}{
		{"JA4.md example", specExampleHello(), 't', "t13d1516h2_8daaf6152771_e5627efa2ab1"},
		{"over QUIC", specExampleHello(), 'q', "q13d1516h2_8daaf6152771_e5627efa2ab1"},
		{
			// No SNI, no ALPN, no supported_versions: "i", "00", the
			// hello's own version; ciphers 002f,0035 and extension 000a.
			"TLS 1.2 to an address",
			clientHelloMsg(0x0303, []uint16{0x0035, 0x002f}, []testExt{{0x000a, nil}}),
			't', "t12i020100_" + sha12Of("002f,0035") + "_" + sha12Of("000a"),
		},
		{
			// Non-alphanumeric ALPN bytes: first and last hex digit
			// (0xAB 0xCD → "ad"); an empty signature list adds no "_".
			"hex ALPN",
			clientHelloMsg(0x0301, []uint16{0x0005}, []testExt{alpnExt("\xab\xcd"), {0x000d, prefixed(2, nil)}}),
			't', "t10i0102ad_" + sha12Of("0005") + "_" + sha12Of("000d"),
		},
		{
			// Only SNI and ALPN: the sorted extension list is empty.
			"no extension left",
			clientHelloMsg(0x0300, nil, []testExt{sniExt("a"), alpnExt("x")}),
			't', "ts3d0002xx_000000000000_000000000000",
		},
		{
			"JA4S.md example",
			serverHelloMsg(0x0303, 0xc030, []testExt{{0x0005, nil}, {0x0017, nil}, {0xff01, []byte{0}}, {0x0000, nil}}),
			't', "t120400_c030_4e8089b08790",
		},
		{
			"TLS 1.3 server with ALPN",
			serverHelloMsg(0x0303, 0x1301, []testExt{{0x002b, u16s(0x0304)}, {0x0033, nil}, alpnExt("h2")}),
			'q', "q1303h2_1301_" + sha12Of("002b,0033,0010"),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := parseTLSHello(tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			got := ja4sFingerprint(&h, tc.proto)
			if h.client {
				got = ja4Fingerprint(&h, tc.proto)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("fingerprint (-want +got):\n%s", diff)
			}
		})
	}
}

// NFStream's plugin on the same hello: its GREASE removal skips the entry
// after a removed one, so of the adjacent 0a0a,1a1a the 1a1a stays in the
// cipher hash; its counts are right.
func TestJA4NFStreamBugsHandComputed(t *testing.T) {
	got, ok, err := nfstreamHello(record(specExampleHello()), 1)
	if err != nil || !ok {
		t.Fatalf("nfstreamHello: ok=%v err=%v", ok, err)
	}
	want := "t13d1516h2_" + sha12Of("002f,0035,009c,009d,1301,1302,1303,1a1a,c013,c014,c02b,c02c,c02f,c030,cca8,cca9") + "_e5627efa2ab1"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NFStream fingerprint (-want +got):\n%s", diff)
	}
	// A hello cut short inside its extensions raises in NFStream.
	msg := record(specExampleHello())
	if _, _, err := nfstreamHello(msg[:len(msg)-3], 1); err == nil {
		t.Errorf("truncated hello: no exception")
	}
	// The wrong hello type is None, not an exception.
	if _, ok, err := nfstreamHello(msg, 2); ok || err != nil {
		t.Errorf("client hello read as server hello: ok=%v err=%v", ok, err)
	}
}

func TestQUICInitialKeysRFC9001(t *testing.T) {
	// RFC 9001 Appendix A.1.
	info, _ := quicVersion(1)
	initial, _ := hkdfExtractForTest(info.salt, mustHex("8394c8f03e515708"))
	secret, err := hkdfExpandLabel(initial, "client in", 32)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"secret": hex.EncodeToString(secret)}
	for _, l := range []struct {
		label string
		n     int
	}{{"quic key", 16}, {"quic iv", 12}, {"quic hp", 16}} {
		v, err := hkdfExpandLabel(secret, l.label, l.n)
		if err != nil {
			t.Fatal(err)
		}
		got[l.label] = hex.EncodeToString(v)
	}
	want := map[string]string{
		"secret":   "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea",
		"quic key": "1f369613dd76d5467730efcbe3b1a22d",
		"quic iv":  "fa044b2f42a3fd3b46fb255c",
		"quic hp":  "9f50449e04a0e810283a1e9933adedd2",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RFC 9001 A.1 keys (-want +got):\n%s", diff)
	}
}

// sealInitial builds a QUIC v1 client Initial carrying crypto in CRYPTO
// frames (split in two, out of order), protected as RFC 9001 §5 says.
func sealInitial(t *testing.T, dcid []byte, crypto []byte) []byte {
	t.Helper()
	p, err := sealInitialPacket(dcid, crypto)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func sealInitialPacket(dcid []byte, crypto []byte) ([]byte, error) {
	info, _ := quicVersion(1)
	keys, err := quicInitialKeys(info, dcid, false)
	if err != nil {
		return nil, err
	}
	half := len(crypto) / 2
	var frames []byte
	frames = append(frames, 0x06, 0x40|byte(half>>8), byte(half)) // CRYPTO at offset half (2-byte varint)
	frames = append(frames, 0x40|byte((len(crypto)-half)>>8), byte(len(crypto)-half))
	frames = append(frames, crypto[half:]...)
	frames = append(frames, 0x06, 0x00, 0x40|byte(half>>8), byte(half))
	frames = append(frames, crypto[:half]...)
	frames = append(frames, make([]byte, 64)...) // PADDING
	const pnLen = 2
	length := pnLen + len(frames) + 16
	header := []byte{0xc0 | (pnLen - 1), 0, 0, 0, 1, byte(len(dcid))}
	header = append(header, dcid...)
	header = append(header, 0)                                           // no source connection id
	header = append(header, 0)                                           // no token
	header = append(header, 0x40|byte(length>>8), byte(length), 0, 0x07) // length, packet number 7
	nonce := append([]byte(nil), keys.iv...)
	nonce[len(nonce)-1] ^= 0x07
	sealed := keys.aead.Seal(nil, nonce, frames, header)
	pnOffset := len(header) - pnLen
	packet := append(append([]byte(nil), header...), sealed...)
	var mask [16]byte
	keys.hp.Encrypt(mask[:], packet[pnOffset+4:pnOffset+20])
	packet[0] ^= mask[0] & 0x0f
	for i := 0; i < pnLen; i++ {
		packet[pnOffset+i] ^= mask[1+i]
	}
	return packet, nil
}

// frame builds an Ethernet frame with an IPv4 or IPv6 header and a TCP or
// UDP header around payload.
func frame(v6 bool, proto uint8, src, dst netip.Addr, sport, dport uint16, flags uint8, payload []byte) []byte {
	var l4 []byte
	if proto == 6 {
		l4 = binary.BigEndian.AppendUint16(nil, sport)
		l4 = binary.BigEndian.AppendUint16(l4, dport)
		l4 = append(l4, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, tcpFlagByte(flags), 0xff, 0xff, 0, 0, 0, 0)
	} else {
		l4 = binary.BigEndian.AppendUint16(nil, sport)
		l4 = binary.BigEndian.AppendUint16(l4, dport)
		l4 = binary.BigEndian.AppendUint16(l4, uint16(8+len(payload)))
		l4 = append(l4, 0, 0)
	}
	l4 = append(l4, payload...)
	eth := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	var ip []byte
	if v6 {
		eth = append(eth, 0x86, 0xdd)
		ip = []byte{0x60, 0, 0, 0}
		ip = binary.BigEndian.AppendUint16(ip, uint16(len(l4)))
		ip = append(ip, proto, 64)
		ip = append(ip, src.AsSlice()...)
		ip = append(ip, dst.AsSlice()...)
	} else {
		eth = append(eth, 0x08, 0x00)
		ip = []byte{0x45, 0}
		ip = binary.BigEndian.AppendUint16(ip, uint16(20+len(l4)))
		ip = append(ip, 0, 0, 0x40, 0, 64, proto, 0, 0)
		ip = append(ip, src.AsSlice()...)
		ip = append(ip, dst.AsSlice()...)
	}
	return append(append(eth, ip...), l4...)
}

// tcpFlagByte maps meter flag bits to the TCP header's flag byte.
func tcpFlagByte(f uint8) uint8 {
	var b uint8
	for _, m := range []struct{ meter, wire uint8 }{
		{meter.FlagFIN, 0x01}, {meter.FlagSYN, 0x02}, {meter.FlagRST, 0x04}, {meter.FlagPSH, 0x08},
		{meter.FlagACK, 0x10}, {meter.FlagURG, 0x20}, {meter.FlagECE, 0x40}, {meter.FlagCWR, 0x80},
	} {
		if f&m.meter != 0 {
			b |= m.wire
		}
	}
	return b
}

type testPacket struct {
	fromClient bool
	flags      uint8
	payload    []byte
}

// runJA4 meters one TCP or UDP conversation through the ja4 plugin and
// returns (ja4, ja4s) of its single flow ("-" for null).
func runJA4(t *testing.T, opts Options, v6 bool, proto uint8, packets []testPacket) [2]string {
	t.Helper()
	ext, err := NewExtractor([]Request{{Name: "base"}, {Name: "plugin.ja4", Options: opts}}, Env{DecodeTunnels: true, IdleTimeoutSec: 120, ActiveTimeoutSec: 1800})
	if err != nil {
		t.Fatal(err)
	}
	client, server := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.51.100.7")
	if v6 {
		client, server = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::443")
	}
	var got [][2]string
	m := meter.New(meter.Config{
		IdleTimeoutMs: 120000, ActiveTimeoutMs: 1800000, Hooks: ext.Hooks(),
		Emit: func(f *meter.Flow) {
			rec := ext.Record(int64(len(got)), f)
			i := ext.Schema().Index("udps.ja4")
			pair := [2]string{"-", "-"}
			for k := range 2 {
				if !rec[i+k].Null {
					pair[k] = rec[i+k].Str
				}
			}
			got = append(got, pair)
		},
	})
	for n, p := range packets {
		var fr []byte
		if p.fromClient {
			fr = frame(v6, proto, client, server, 50000, 443, p.flags, p.payload)
		} else {
			fr = frame(v6, proto, server, client, 443, 50000, p.flags, p.payload)
		}
		if !m.Process(1, fr, uint32(len(fr)), uint64(1_000_000+n*10)) {
			t.Fatalf("packet %d ignored by the meter", n)
		}
	}
	m.Flush()
	if len(got) != 1 {
		t.Fatalf("%d flows, want 1", len(got))
	}
	return got[0]
}

func TestJA4PluginModes(t *testing.T) {
	hello := record(specExampleHello())
	serverHello := record(serverHelloMsg(0x0303, 0xc030, []testExt{{0x0005, nil}, {0x0017, nil}, {0xff01, []byte{0}}, {0x0000, nil}}))
	const syn, ack, psh = meter.FlagSYN, meter.FlagACK, meter.FlagPSH
	handshakeThen := func(more ...testPacket) []testPacket {
		return append([]testPacket{{true, syn, nil}, {false, syn | ack, nil}, {true, ack, nil}}, more...)
	}
	nfsCiphers := sha12Of("002f,0035,009c,009d,1301,1302,1303,1a1a,c013,c014,c02b,c02c,c02f,c030,cca8,cca9")
	nfsClient := "t13d1516h2_" + nfsCiphers + "_e5627efa2ab1"
	specClient := "t13d1516h2_8daaf6152771_e5627efa2ab1"
	specServer := "t120400_c030_4e8089b08790"
	spec := Options{"spec": true}
	for _, tc := range []struct {
		name    string
		opts    Options
		v6      bool
		proto   uint8
		packets []testPacket
		want    [2]string
	}{
		{"NFStream, one-segment hellos", nil, false, 6, handshakeThen(testPacket{true, psh | ack, hello}, testPacket{false, psh | ack, serverHello}), [2]string{nfsClient, specServer}},
		{"spec, one-segment hellos", spec, false, 6, handshakeThen(testPacket{true, psh | ack, hello}, testPacket{false, psh | ack, serverHello}), [2]string{specClient, specServer}},
		{"NFStream ignores IPv6", nil, true, 6, handshakeThen(testPacket{true, psh | ack, hello}, testPacket{false, psh | ack, serverHello}), [2]string{"-", "-"}},
		{"spec reads IPv6", spec, true, 6, handshakeThen(testPacket{true, psh | ack, hello}, testPacket{false, psh | ack, serverHello}), [2]string{specClient, specServer}},
		{"NFStream needs the SYN", nil, false, 6, []testPacket{{true, psh | ack, hello}, {false, psh | ack, serverHello}}, [2]string{"-", "-"}},
		{"spec without the SYN", spec, false, 6, []testPacket{{true, psh | ack, hello}, {false, psh | ack, serverHello}}, [2]string{specClient, specServer}},
		// NFStream reads the first 100 bytes as a whole hello: no
		// supported_versions (so "12"), extensions 2a2a, 001b and a cut
		// 0000 (so "02", and 001b alone hashed as GREASE removal skips it).
		{"NFStream: hello split over two segments", nil, false, 6, handshakeThen(testPacket{true, ack, hello[:100]}, testPacket{true, psh | ack, hello[100:]}),
			[2]string{"t12d150200_" + nfsCiphers + "_" + sha12Of("001b"), "-"}},
		{"spec: hello split over two segments", spec, false, 6, handshakeThen(testPacket{true, ack, hello[:100]}, testPacket{true, psh | ack, hello[100:]}), [2]string{specClient, "-"}},
		{"NFStream: TLS over UDP 443 is labelled t", nil, false, 17, []testPacket{{true, 0, hello}}, [2]string{"-", "-"}},
		{"spec: DTLS 1.2 ClientHello", spec, false, 17, []testPacket{{true, 0, dtlsClientHello()}},
			[2]string{"dd2i020000_" + sha12Of("002f,c02b") + "_000000000000", "-"}},
		{"spec: QUIC Initial", spec, false, 17, []testPacket{{true, 0, sealInitial(t, mustHex("8394c8f03e515708"), specExampleHello())}}, [2]string{"q13d1516h2_8daaf6152771_e5627efa2ab1", "-"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runJA4(t, tc.opts, tc.v6, tc.proto, tc.packets)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(ja4, ja4s) (-want +got):\n%s", diff)
			}
		})
	}
}

func hkdfExtractForTest(salt, secret []byte) ([]byte, error) {
	return hkdf.Extract(sha256.New, secret, salt)
}

// dtlsClientHello is a datagram with one DTLS 1.2 record holding an
// unfragmented ClientHello (with an empty cookie) offering c02b and 002f.
func dtlsClientHello() []byte {
	body := u16s(0xfefd)
	body = append(body, make([]byte, 32)...)
	body = append(body, 0, 0) // session id, cookie: empty
	body = append(body, prefixed(2, u16s(0xc02b, 0x002f))...)
	body = append(body, 1, 0) // compression: null
	n := len(body)
	hs := []byte{1, byte(n >> 16), byte(n >> 8), byte(n), 0, 0, 0, 0, 0, byte(n >> 16), byte(n >> 8), byte(n)}
	hs = append(hs, body...)
	rec := []byte{0x16, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, byte(len(hs) >> 8), byte(len(hs))}
	return append(rec, hs...)
}
