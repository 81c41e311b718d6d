package bpf

import (
	"path/filepath"
	"testing"
)

// TestRecordedCounts checks how many frames a filter keeps in a few
// shared captures. The counts were taken once with tcpdump 4.99.3 /
// libpcap 1.10.3 (tcpdump -r FILE -w OUT FILTER; capinfos -c OUT), so
// this test guards the semantics where tcpdump is not installed.
func TestRecordedCounts(t *testing.T) {
	tests := []struct {
		capture, filter string
		want            int
	}{
		{"spec/golden/synthetic/vlan.pcap", "vlan", 3},                                             // of 4
		{"spec/golden/synthetic/vlan.pcap", "vlan and host 10.0.0.1", 2},                           // of 4
		{"spec/golden/synthetic/vlan.pcap", "vlan 20", 0},                                          // of 4
		{"spec/golden/synthetic/vlan.pcap", "vlan and vlan 20 and udp", 1},                         // of 4
		{"spec/golden/synthetic/vlan.pcap", "ip", 1},                                               // of 4
		{"spec/golden/synthetic/frag.pcap", "udp", 3},                                              //
		{"spec/golden/synthetic/frag.pcap", "udp port 53", 0},                                      // fragments beyond the first
		{"spec/golden/synthetic/trunc.pcap", "tcp port 80", 0},                                     // of 3
		{"corpus/nfstream/pcaps/mongodb.pcap", "tcp port 27017", 0},                                // of 27, all tagged
		{"corpus/nfstream/pcaps/mongodb.pcap", "vlan and tcp port 27017", 20},                      // of 27
		{"corpus/nfstream/pcaps/nats.pcap", "tcp port 4222", 27},                                   // NULL, of 27
		{"corpus/nfstream/pcaps/rdp.pcap", "tcp dst port 3389", 936},                               // NULL
		{"corpus/nfstream/pcaps/raw.pcap", "udp", 1},                                               // raw IP, of 1
		{"corpus/nfstream/pcaps/KakaoTalk_chat.pcap", "tcp port 443", 239},                         // Linux SLL, of 347
		{"corpus/nfstream/pcaps/KakaoTalk_chat.pcap", "udp and not port 53", 0},                    // of 347
		{"corpus/nfstream/pcaps/mdns.pcap", "ip6 and udp port 5353", 216},                          // Linux SLL, of 292
		{"corpus/nfstream/pcaps/BGP_redist.pcap", "tcp port 179", 1},                               // Cisco HDLC, of 2
		{"corpus/nfstream/pcaps/BGP_Cisco_hdlc_slarp.pcap", "not ip", 14},                          // PPP, of 14
		{"corpus/nfstream/pcaps/http_ipv6.pcap", "tcp port 443 or icmp6", 128},                     // of 193
		{"corpus/nfstream/pcaps/skype.pcap", "arp", 215},                                           // of 3284
		{"corpus/nfstream/pcaps/skype.pcap", "host 192.168.1.34 and not udp", 2607},                // of 3284
		{"corpus/nfstream/pcaps/anyconnect-vpn.pcap", "tcp or udp and not port 53", 2927},          // of 3001
		{"corpus/nfstream/pcaps/dnscrypt-v1-and-resolver-pings.pcap", "icmp or udp port 443", 326}, // of 608
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.capture)+"/"+tt.filter, func(t *testing.T) {
			frames, err := readCapture(sharedFile(t, tt.capture))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Compile(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			got := 0
			for _, fr := range frames {
				if f.Match(fr.linkType, fr.data, fr.wireLen) {
					got++
				}
			}
			if got != tt.want {
				t.Errorf("%s: %q keeps %d frames, tcpdump kept %d", tt.capture, tt.filter, got, tt.want)
			}
		})
	}
}
