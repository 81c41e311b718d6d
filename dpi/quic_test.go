package dpi

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestQUIC(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    Result
	}{{
		name:    "draft-27 Initial (quic-27.pcap)",
		payload: quicDraft27Initial,
		want: Result{Application: "QUIC.Google", Category: "Web", Confidence: 6, ServerName: "play.google.com",
			ClientFingerprint: "1e022f87823477abd6a79c31d70062d7", UserAgent: "beta Chrome/84.0.4147.45 Windows NT 10.0; Win64; x64"},
	}, {
		name:    "Google T050 Initial (quic_t50.pcap)",
		payload: quicT050Initial,
		want: Result{Application: "QUIC.GoogleServices", Category: "Web", Confidence: 6, ServerName: "fonts.googleapis.com",
			ClientFingerprint: "a2fc589336b7c13b674c1bab24655ce7", UserAgent: "Chrome/85.0.4183.83 Windows NT 6.1; Win64; x64"},
	}, {
		name:    "Google Q046 CHLO (quic_q46.pcap)",
		payload: quicQ046CHLO,
		want: Result{Application: "QUIC.Google", Category: "Web", Confidence: 6, ServerName: "play.google.com",
			UserAgent: "Chrome/74.0.3729.157 Android 8.0.0; BND-L21"},
	}, {
		name:    "mvfst draft-22 Initial (quic-mvfst-22.pcap)",
		payload: quicMvfst22Initial,
		want: Result{Application: "QUIC.Facebook", Category: "SocialNetwork", Confidence: 6, ServerName: "graph.facebook.com",
			ClientFingerprint: "a3795d067fbf6f44c8657f9e9cbae493"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newConv(17, 50000, 443)
			f := feed([]*Packet{c.packet(0, 0, unhex(t, tt.payload))})
			if diff := cmp.Diff(tt.want, f.Result()); diff != "" {
				t.Errorf("Result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQUICCorruptedInitial(t *testing.T) {
	// A flipped ciphertext byte fails authentication: QUIC, no SNI.
	b := unhex(t, quicDraft27Initial)
	b[len(b)-20] ^= 0xff
	c := newConv(17, 50000, 443)
	f := feed([]*Packet{c.packet(0, 0, b)})
	want := Result{Application: "QUIC", Category: "Web", Confidence: 6}
	if diff := cmp.Diff(want, f.Result()); diff != "" {
		t.Errorf("Result (-want +got):\n%s", diff)
	}
}

// FuzzQUIC feeds arbitrary datagrams (and mutations of real Initials) to
// the QUIC dissector.
func FuzzQUIC(f *testing.F) {
	for _, s := range []string{quicDraft27Initial, quicT050Initial, quicQ046CHLO, quicMvfst22Initial} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c := newConv(17, 50000, 443)
		var fl Flow
		fl.Feed(c.packet(0, 0, b))
		fl.Feed(c.packet(1, 0, b))
		fl.Feed(c.packet(0, 0, b))
		_ = fl.Result()
		// The CRYPTO frame reader on the bytes as if decrypted.
		var st State
		var qs *quicState
		for _, v := range []uint32{qV1, qQ046, qQ050, qQ043} {
			if d := quicCryptoData(&st, &qs, v, b); d != nil {
				quicCHLO(&st, d)
				parseHello(&st, st.tlsState(), d, false, v)
			}
		}
		quicTransportParams(&st, b, true)
		quicTransportParams(&st, b, false)
	})
}

// TestQUICv1InitialKeys checks the key schedule against RFC 9001,
// Appendix A.1 (client Initial keys for DCID 0x8394c8f03e515708).
func TestQUICv1InitialKeys(t *testing.T) {
	dcid := unhex(t, "8394c8f03e515708")
	initial, err := hkdf.Extract(sha256.New, dcid, quicSalt(qV1))
	if err != nil {
		t.Fatal(err)
	}
	client := hkdfLabel(initial, "client in", 32)
	got := map[string]string{
		"client": hex.EncodeToString(client),
		"key":    hex.EncodeToString(hkdfLabel(client, "quic key", 16)),
		"iv":     hex.EncodeToString(hkdfLabel(client, "quic iv", 12)),
		"hp":     hex.EncodeToString(hkdfLabel(client, "quic hp", 16)),
	}
	want := map[string]string{
		"client": "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea",
		"key":    "1f369613dd76d5467730efcbe3b1a22d",
		"iv":     "fa044b2f42a3fd3b46fb255c",
		"hp":     "9f50449e04a0e810283a1e9933adedd2",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

// sealInitial builds a client Initial packet of version v carrying frames
// (padded to 1200 bytes), protected with the version's Initial keys.
func sealInitial(t *testing.T, v uint32, dcid, frames []byte) []byte {
	t.Helper()
	initial, _ := hkdf.Extract(sha256.New, dcid, quicSalt(v))
	client := hkdfLabel(initial, "client in", 32)
	kl, il, hl := "quic key", "quic iv", "quic hp"
	if v == qV2d {
		kl, il, hl = "quicv2 key", "quicv2 iv", "quicv2 hp"
	}
	key, iv, hp := hkdfLabel(client, kl, 16), hkdfLabel(client, il, 12), hkdfLabel(client, hl, 16)
	first := byte(0xc3) // long header, Initial, 4-byte packet number
	if v == qV2d {
		first = 0xd3 // QUIC v2 draft: Initial is type 1
	}
	hdr := []byte{first, byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v), byte(len(dcid))}
	hdr = append(hdr, dcid...)
	hdr = append(hdr, 0, 0) // no source connection id, no token
	payload := append([]byte(nil), frames...)
	for len(payload) < 1200 {
		payload = append(payload, 0)
	}
	n := 4 + len(payload) + 16
	hdr = append(hdr, 0x40|byte(n>>8), byte(n))
	pnOff := len(hdr)
	hdr = append(hdr, 0, 0, 0, 2) // packet number 2
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	nonce := append([]byte(nil), iv...)
	nonce[11] ^= 2
	pkt := aead.Seal(append([]byte(nil), hdr...), nonce, payload, hdr)
	hpc, _ := aes.NewCipher(hp)
	var mask [16]byte
	hpc.Encrypt(mask[:], pkt[pnOff+4:pnOff+20])
	pkt[0] ^= mask[0] & 0x0f
	for i := 0; i < 4; i++ {
		pkt[pnOff+i] ^= mask[1+i]
	}
	return pkt
}

func TestQUICVersionsRoundTrip(t *testing.T) {
	// The ClientHello of quic-27.pcap, re-sent as v1 and v2-draft Initials in
	// one CRYPTO frame, and split over two datagrams.
	var st State
	var qs *quicState
	clear := quicClearPayload(unhex(t, quicDraft27Initial), 0xff00001b)
	ch := quicCryptoData(&st, &qs, 0xff00001b, clear)
	if ch == nil {
		t.Fatal("no ClientHello in the draft-27 seed")
	}
	frame := func(off int, b []byte) []byte {
		f := []byte{0x06, 0x40 | byte(off>>8), byte(off), 0x40 | byte(len(b)>>8), byte(len(b))}
		return append(f, b...)
	}
	dcid := unhex(t, "8394c8f03e515708")
	for _, v := range []uint32{qV1, qV2d} {
		for _, split := range []bool{false, true} {
			c := newConv(17, 50000, 443)
			var pk []*Packet
			if split {
				pk = append(pk, c.packet(0, 0, sealInitial(t, v, dcid, frame(0, ch[:100]))),
					c.packet(0, 0, sealInitial(t, v, dcid, frame(100, ch[100:]))))
			} else {
				pk = append(pk, c.packet(0, 0, sealInitial(t, v, dcid, frame(0, ch))))
			}
			f := feed(pk)
			r := f.Result()
			if r.Application != "QUIC.Google" || r.ServerName != "play.google.com" || r.ClientFingerprint != "1e022f87823477abd6a79c31d70062d7" {
				t.Errorf("version %#x split=%v: %+v", v, split, r)
			}
		}
	}
}
