package dpi

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDNS(t *testing.T) {
	tests := []struct {
		name         string
		payloads     []string // alternating client, server
		cport, sport uint16
		dst          string
		want         Result
	}{{
		name:     "query with a host rule (skype.pcap)",
		payloads: []string{dnsQuerySkype},
		cport:    49163, sport: 53,
		want: Result{Application: "DNS.Skype_Teams", Category: "Network", Confidence: 6, ServerName: "b.config.skype.com"},
	}, {
		name:     "response without its query is plain DNS (skype.pcap)",
		payloads: []string{dnsResponseSkype},
		cport:    53, sport: 49164,
		want: Result{Application: "DNS", Category: "Network", Confidence: 6, ServerName: "e7768.b.akamaiedge.net"},
	}, {
		name:     "mDNS query (mdns.pcap)",
		payloads: []string{mdnsQuery},
		cport:    5353, sport: 5353, dst: "224.0.0.251",
		want: Result{Application: "MDNS", Category: "Network", Confidence: 6, ServerName: "_raop._tcp.local"},
	}, {
		name:     "LLMNR query (1kxun.pcap)",
		payloads: []string{llmnrQuery},
		cport:    59571, sport: 5355, dst: "224.0.0.252",
		want: Result{Application: "LLMNR", Category: "Network", Confidence: 6, ServerName: "jason-pc"},
	}, {
		// Flags set and sent to a unicast address: nDPI rejects it, the
		// port guess remains.
		name:     "LLMNR with flags to a unicast address",
		payloads: []string{llmnrQuery[:4] + "8000" + llmnrQuery[8:]},
		cport:    59571, sport: 5355, dst: "192.168.5.1",
		want: Result{Application: "LLMNR", Category: "Network", IsGuessed: 1, Confidence: 1},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newConv(17, tt.cport, tt.sport)
			if tt.dst != "" {
				c.srv = netip.MustParseAddr(tt.dst)
			}
			var pk []*Packet
			for i, s := range tt.payloads {
				pk = append(pk, c.packet(uint8(i&1), 0, unhex(t, s)))
			}
			f := feed(pk)
			if diff := cmp.Diff(tt.want, f.Result()); diff != "" {
				t.Errorf("Result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDNSName(t *testing.T) {
	pl := []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 'W', 'w', 'W', 4, 'a', ' ', 0x01, '-', 2, 'x', 'y', 0, 0, 1, 0, 1}
	var b [256]byte
	if got := string(dnsName(pl, 12, b[:0:256])); got != "www.a_?-.xy" {
		t.Errorf("dnsName = %q", got)
	}
}

// FuzzDNS feeds arbitrary datagrams to the DNS dissector on ports 53,
// 5353 and 5355, and over TCP.
func FuzzDNS(f *testing.F) {
	f.Add(unhex(f, dnsQuerySkype))
	f.Add(unhex(f, dnsResponseSkype))
	f.Add(unhex(f, mdnsQuery))
	f.Add(unhex(f, llmnrQuery))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, port := range []uint16{53, 5353, 5355} {
			for _, proto := range []uint8{17, 6} {
				c := newConv(proto, 40000, port)
				var fl Flow
				fl.Feed(c.packet(0, FlagACK, b))
				fl.Feed(c.packet(1, FlagACK, b))
				_ = fl.Result()
			}
		}
	})
}
