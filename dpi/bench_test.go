package dpi

import "testing"

// benchFlows builds a mix of conversations: a TLS handshake, a QUIC
// Initial, an HTTP exchange, a DNS query and an unknown TCP flow.
func benchFlows(b testing.TB) [][]*Packet {
	var out [][]*Packet
	c := newConv(6, 51000, 443)
	out = append(out, append(c.handshake(), c.packet(0, FlagACK|FlagPSH, unhex(b, tlsCurlClientHello)),
		c.packet(1, FlagACK, unhex(b, tlsCurlServerHello)), c.packet(0, FlagACK, nil)))
	c = newConv(17, 50000, 443)
	out = append(out, []*Packet{c.packet(0, 0, unhex(b, quicDraft27Initial))})
	c = newConv(6, 36196, 80)
	out = append(out, append(c.handshake(), c.packet(0, FlagACK|FlagPSH, unhex(b, httpRequestSQLi)),
		c.packet(1, FlagACK, nil), c.packet(1, FlagACK|FlagPSH, unhex(b, httpResponseSQLi))))
	c = newConv(17, 49163, 53)
	out = append(out, []*Packet{c.packet(0, 0, unhex(b, dnsQuerySkype))})
	c = newConv(6, 40000, 40001)
	u := append(c.handshake(), c.packet(0, FlagACK, []byte("\x00\x01binary protocol payload")))
	for i := 0; i < 10; i++ {
		u = append(u, c.packet(uint8(i&1), FlagACK, []byte("more opaque bytes in this flow")))
	}
	out = append(out, u)
	return out
}

// BenchmarkEngine runs whole flows through Feed the way the dpi feature
// set does; one op is one flow (the mix cycles).
func BenchmarkEngine(b *testing.B) {
	flows := benchFlows(b)
	var f Flow
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Reset()
		want := true
		for j, p := range flows[i%len(flows)] {
			if j > 0 && f.Detected() && !want {
				break
			}
			want = f.Feed(p)
		}
		if !f.Detected() {
			f.GiveUp()
		}
		_ = f.Result()
	}
}

// BenchmarkHostMatch measures the host-name rules alone.
func BenchmarkHostMatch(b *testing.B) {
	names := []string{"www.facebook.com", "instagram.faae1-1.fna.fbcdn.net", "b.config.skype.com", "no.match.example.org"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		matchHost(names[i%len(names)])
	}
}

// TestFeedNoAllocs pins the common path: later packets of a flow whose
// per-flow state exists already allocate nothing.
func TestFeedNoAllocs(t *testing.T) {
	c := newConv(6, 40000, 40001)
	var f Flow
	for _, p := range append(c.handshake(), c.packet(0, FlagACK, []byte("\x00\x01binary"))) {
		f.Feed(p)
	}
	p := c.packet(1, FlagACK, []byte("more opaque bytes in this flow"))
	if n := testing.AllocsPerRun(100, func() { f.Feed(p) }); n != 0 {
		t.Errorf("Feed on an undetected flow allocates %.1f times per packet", n)
	}
	c = newConv(6, 51000, 443)
	f.Reset()
	for _, p := range append(c.handshake(), c.packet(0, FlagACK|FlagPSH, unhex(t, tlsCurlClientHello))) {
		f.Feed(p)
	}
	ack := c.packet(1, FlagACK, nil)
	if n := testing.AllocsPerRun(100, func() { f.Feed(ack) }); n != 0 {
		t.Errorf("Feed of an ACK to a TLS flow allocates %.1f times per packet", n)
	}
}
