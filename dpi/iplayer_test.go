package dpi

import "testing"

func TestIPLayer(t *testing.T) {
	for _, c := range []struct {
		proto uint8
		want  string
	}{
		{1, "ICMP"}, {2, "IGMP"}, {58, "ICMPV6"}, {47, "GRE"}, {50, "IPSec"}, {112, "VRRP"},
		{0, "Unknown"}, {80, "Unknown"},
	} {
		// IGMP flows of wechat.pcap (tcpdump -r wechat.pcap igmp) carry
		// 8 bytes after the IP header and no transport payload.
		r := runFlow(t, flowSpec{proto: c.proto, src: "192.168.1.2", dst: "224.0.0.22", noGiveUp: true}, pkt{})
		if r.Application != c.want {
			t.Errorf("proto %d: %q, want %q", c.proto, r.Application, c.want)
		}
		if c.want != "Unknown" && (r.Confidence != 6 || r.IsGuessed != 0) {
			t.Errorf("proto %d: confidence %d guessed %d, want 6/0", c.proto, r.Confidence, r.IsGuessed)
		}
	}
}
