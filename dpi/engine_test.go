package dpi

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTablesLoad(t *testing.T) {
	if got := protoByName("TLS").Category(); got != "Web" {
		t.Errorf("TLS category = %q", got)
	}
	if got := guessProtocol(6, 51000, 443); got.Name() != "TLS" {
		t.Errorf("tcp/443 guess = %v", got)
	}
	if got := matchIP(netip.MustParseAddr("8.8.8.8")); got.Name() != "Google" {
		t.Errorf("8.8.8.8 = %v", got)
	}
	for _, c := range []struct{ host, app string }{
		{"www.facebook.com", "Facebook"},
		{"facebook.com", "Facebook"},
		{"b.config.skype.com", "Skype_Teams"},
		{"www.amazon.co.uk", "Amazon"},
		{"example.org", ""},
	} {
		app, _, ok := matchHost(c.host)
		got := ""
		if ok {
			got = app.Name()
		}
		if got != c.app {
			t.Errorf("matchHost(%q) = %q, want %q", c.host, got, c.app)
		}
	}
}

func TestGiveUpAndAcceptance(t *testing.T) {
	tests := []struct {
		name   string
		pkts   func(c *conv) []*Packet
		proto  uint8
		cp, sp uint16
		want   Result
	}{{
		name:  "unknown UDP ports: Unknown, not guessed",
		proto: 17, cp: 40000, sp: 40001,
		pkts: func(c *conv) []*Packet { return []*Packet{c.packet(0, 0, []byte{0xde, 0xad, 0xbe, 0xef})} },
		want: Result{Application: "Unknown", Category: "Unspecified"},
	}, {
		name:  "server port 53 with garbage: guessed DNS",
		proto: 17, cp: 40000, sp: 53,
		pkts: func(c *conv) []*Packet { return []*Packet{c.packet(0, 0, []byte{1, 2, 3})} },
		want: Result{Application: "DNS", Category: "Network", IsGuessed: 1, Confidence: 1},
	}, {
		name:  "client on a well-known port answers: server port is the low one",
		proto: 6, cp: 443, sp: 51000,
		pkts: func(c *conv) []*Packet { return []*Packet{c.packet(0, FlagACK, []byte("zz"))} },
		want: Result{Application: "TLS", Category: "Web", IsGuessed: 1, Confidence: 1},
	}, {
		name:  "truncated UDP packets are never seen: no guess either",
		proto: 17, cp: 40000, sp: 53,
		pkts: func(c *conv) []*Packet {
			p := c.packet(0, 0, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
			p.IP[3] += 100 // total length beyond the captured bytes
			return []*Packet{p}
		},
		want: Result{Application: "Unknown", Category: "Unspecified"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := feed(tt.pkts(newConv(tt.proto, tt.cp, tt.sp)))
			if diff := cmp.Diff(tt.want, f.Result()); diff != "" {
				t.Errorf("Result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHostRules(t *testing.T) {
	for _, c := range []struct{ host, app string }{
		{"instagram.faae1-1.fna.fbcdn.net", "Instagram"}, // explicit level beats .fbcdn.net
		{"aws.amazon.com", "Amazon"},                     // "amazon." anywhere
		{"x.ws.amazon.com", "Amazon"},
		{"WWW.FACEBOOK.COM", "Facebook"},
		{"notfacebook.example", ""},
	} {
		app, _, ok := matchHost(c.host)
		got := ""
		if ok {
			got = app.Name()
		}
		if got != c.app {
			t.Errorf("matchHost(%q) = %q, want %q", c.host, got, c.app)
		}
	}
	if got := matchHostCategory("vod.quickplay.com"); got != "Streaming" {
		t.Errorf("category of vod.quickplay.com = %q", got)
	}
}

func TestPacketBudget(t *testing.T) {
	// nDPI looks at 32 packets at most: a DNS query as the 33rd packet is
	// not read, the port guess remains.
	c := newConv(17, 40000, 53)
	var f Flow
	for i := 0; i < 32; i++ {
		f.Feed(c.packet(0, 0, []byte{0xff}))
	}
	f.Feed(c.packet(0, 0, unhex(t, dnsQuerySkype)))
	f.GiveUp()
	want := Result{Application: "DNS", Category: "Network", IsGuessed: 1, Confidence: 1}
	if diff := cmp.Diff(want, f.Result()); diff != "" {
		t.Errorf("Result (-want +got):\n%s", diff)
	}
}
