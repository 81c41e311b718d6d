package dpi

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTLS(t *testing.T) {
	ch := unhex(t, tlsCurlClientHello)
	sh := unhex(t, tlsCurlServerHello)
	tests := []struct {
		name string
		pkts func(c *conv) []*Packet
		want Result
	}{{
		name: "client and server hello (443-curl.pcap)",
		pkts: func(c *conv) []*Packet {
			return append(c.handshake(), c.packet(0, FlagACK|FlagPSH, ch), c.packet(1, FlagACK, sh))
		},
		want: Result{Application: "TLS.ntop", Category: "Network", Confidence: 6, ServerName: "www.ntop.org",
			ClientFingerprint: "2a26b1a62e40d25d4de3babc9d532f30", ServerFingerprint: "ae53107a2e47ea20c72ac44821a728bf"},
	}, {
		name: "client hello split over three segments",
		pkts: func(c *conv) []*Packet {
			return append(c.handshake(), c.packet(0, FlagACK, ch[:7]), c.packet(0, FlagACK, ch[7:100]), c.packet(0, FlagACK|FlagPSH, ch[100:]))
		},
		want: Result{Application: "TLS.ntop", Category: "Network", Confidence: 6, ServerName: "www.ntop.org",
			ClientFingerprint: "2a26b1a62e40d25d4de3babc9d532f30"},
	}, {
		name: "retransmitted first segment is ignored",
		pkts: func(c *conv) []*Packet {
			p := append(c.handshake(), c.packet(0, FlagACK, ch[:50]))
			c.seq[0] -= 50
			return append(p, c.packet(0, FlagACK, ch[:50]), c.packet(0, FlagACK, ch[50:]))
		},
		want: Result{Application: "TLS.ntop", Category: "Network", Confidence: 6, ServerName: "www.ntop.org",
			ClientFingerprint: "2a26b1a62e40d25d4de3babc9d532f30"},
	}, {
		name: "application data only: TLS when a record fills the packet",
		pkts: func(c *conv) []*Packet {
			return []*Packet{c.packet(0, FlagACK, []byte{0x17, 0x03, 0x03, 0x00, 0x04, 1, 2, 3, 4})}
		},
		want: Result{Application: "TLS", Category: "Web", Confidence: 6},
	}, {
		name: "not TLS on port 443: guessed by port",
		pkts: func(c *conv) []*Packet {
			return append(c.handshake(), c.packet(0, FlagACK, []byte("hello world")))
		},
		want: Result{Application: "TLS", Category: "Web", IsGuessed: 1, Confidence: 1},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := feed(tt.pkts(newConv(6, 51000, 443)))
			if diff := cmp.Diff(tt.want, f.Result()); diff != "" {
				t.Errorf("Result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTLSHellosKept(t *testing.T) {
	c := newConv(6, 51000, 443)
	f := feed(append(c.handshake(), c.packet(0, FlagACK|FlagPSH, unhex(t, tlsCurlClientHello)), c.packet(1, FlagACK, unhex(t, tlsCurlServerHello))))
	ch, sh := f.ClientHello(), f.ServerHello()
	if ch == nil || sh == nil {
		t.Fatalf("hellos: %v %v", ch, sh)
	}
	if ch.SNI != "www.ntop.org" || ch.Version != 0x0303 || len(ch.Ciphers) == 0 || len(ch.Extensions) == 0 {
		t.Errorf("client hello: %+v", ch)
	}
	if sh.Version != 0x0303 || sh.Cipher == 0 {
		t.Errorf("server hello: %+v", sh)
	}
}

func TestDTLS(t *testing.T) {
	c := newConv(17, 40739, 56515)
	f := feed([]*Packet{c.packet(0, 0, unhex(t, dtlsClientHello))})
	want := Result{Application: "DTLS", Category: "Web", Confidence: 6, ClientFingerprint: "bd743610892cec1efed851b2b5efd4f5"}
	if diff := cmp.Diff(want, f.Result()); diff != "" {
		t.Errorf("Result (-want +got):\n%s", diff)
	}
}

// FuzzTLS feeds arbitrary bytes to the TLS dissector over TCP and UDP, as
// one segment and split in two.
func FuzzTLS(f *testing.F) {
	f.Add(unhex(f, tlsCurlClientHello), 7)
	f.Add(unhex(f, tlsCurlServerHello), 100)
	f.Add(unhex(f, dtlsClientHello), 0)
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00}, 3)
	f.Fuzz(func(t *testing.T, b []byte, cut int) {
		for _, proto := range []uint8{6, 17} {
			c := newConv(proto, 51000, 443)
			st := new(State)
			var pk []*Packet
			if cut > 0 && cut < len(b) {
				pk = []*Packet{c.packet(0, FlagACK, b[:cut]), c.packet(0, FlagACK, b[cut:]), c.packet(1, FlagACK, b)}
			} else {
				pk = []*Packet{c.packet(0, FlagACK, b), c.packet(1, FlagACK, b)}
			}
			st.first(pk[0])
			for _, p := range pk {
				st.pkt = p
				tlsDissector{}.Dissect(p, st)
			}
			var fl Flow
			for _, p := range pk {
				fl.Feed(p)
			}
			_ = fl.Result()
		}
	})
}

func TestTLSCertificateNames(t *testing.T) {
	// No SNI: the application comes from the server certificate's subject.
	c := newConv(6, 37821, 443)
	pk := c.handshake()
	for _, s := range tlsKakaoNoSNI {
		dir := uint8(0)
		if s.fromServer {
			dir = 1
		}
		pk = append(pk, c.packet(dir, FlagACK, unhex(t, s.payload)))
	}
	f := feed(pk)
	want := Result{Application: "TLS.KakaoTalk", Category: "Chat", Confidence: 6,
		ClientFingerprint: "dff8a0aa1c904aaea76c5bf624e88333", ServerFingerprint: "4192c0a946c5bd9b544b4656d9f624a4"}
	if diff := cmp.Diff(want, f.Result()); diff != "" {
		t.Errorf("Result (-want +got):\n%s", diff)
	}
}

func TestJA3Truncation(t *testing.T) {
	// 300 ciphers overflow nDPI's 1024-byte JA3 buffer: the cipher list
	// stops at the last whole element, the other sections follow.
	var j ja3Writer
	want := "771,"
	j.write([]byte("771,"))
	for i := 0; i < 300; i++ {
		p := fmt.Sprintf("-%d", 10000+i)
		if i == 0 {
			p = p[1:]
		}
		if len(want)+len(p) >= 1024 {
			break
		}
		want += p
		j.write([]byte(p))
	}
	if j.write([]byte(",")) != (len(want)+1 < 1024) {
		t.Error("comma fit reported wrongly")
	}
	if len(want)+1 < 1024 {
		want += ","
	}
	if got := string(j.cstring()); got != want || len(got) >= 1024 {
		t.Errorf("got %d bytes, want %d", len(got), len(want))
	}
	// A piece that does not fit leaves its truncated bytes in the C string.
	var k ja3Writer
	k.n = 1020
	k.write([]byte("-12345"))
	if k.end != 1023 || k.n != 1020 {
		t.Errorf("end %d n %d", k.end, k.n)
	}
}
