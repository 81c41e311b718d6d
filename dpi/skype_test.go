package dpi

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSkype(t *testing.T) {
	cases := []struct {
		name string
		fs   flowSpec
		pkts []pkt
		want Result
	}{
		{
			// skype.pcap, 192.168.1.34:13021 -> 64.4.23.166:40022 (harness dump;
			// tcpdump -r skype.pcap -x 'udp port 40022'): one media packet.
			name: "call packet",
			fs:   flowSpec{proto: 17, src: "192.168.1.34", dst: "64.4.23.166", srcPort: 13021, dstPort: 40022},
			pkts: []pkt{{hex: "9b9002d2fcfb780ea6d56433dd749d497204d313ec67432075bdb8e2e7d954c069f6"}},
			want: Result{Application: "Skype_Teams.Skype_TeamsCall", Category: "VoIP", Confidence: 6},
		},
		{
			name: "Zoom port",
			fs:   flowSpec{proto: 17, src: "192.168.1.34", dst: "64.4.23.166", srcPort: 13021, dstPort: 8801},
			pkts: []pkt{{hex: "9b9002d2fcfb780ea6d56433dd749d497204d313ec67432075bdb8e2e7d954c069f6"}},
			want: Result{Application: "Zoom", Category: "Video", Confidence: 6},
		},
		{
			// Two short packets repeating the 4 bytes at offset 7.
			name: "repeated session checksum",
			fs:   flowSpec{proto: 17, src: "192.168.1.34", dst: "64.4.23.166", srcPort: 13021, dstPort: 40022},
			pkts: []pkt{{hex: "01ab02000000001122334455"}, {hex: "01cd02000000001122334466"}},
			want: Result{Application: "Skype_Teams", Category: "VoIP", Confidence: 6},
		},
		{
			name: "port 1119 left to Battle.net",
			fs:   flowSpec{proto: 17, src: "192.168.1.34", dst: "64.4.23.166", srcPort: 13021, dstPort: 1119},
			pkts: []pkt{{hex: "9b9002d2fcfb780ea6d56433dd749d497204d313ec67432075bdb8e2e7d954c069f6"}},
			want: Result{Application: "Starcraft", Category: "Game", Confidence: 1, IsGuessed: 1},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runFlow(t, c.fs, c.pkts...)
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("result (-want +got):\n%s", d)
			}
		})
	}
}
