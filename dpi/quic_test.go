package dpi

import (
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
