package dpi

import "testing"

func TestNTP(t *testing.T) {
	runCases(t, []flowCase{
		{
			// 1kxun.pcap, 192.168.5.16:123 -> 17.253.26.125:123 (harness dump;
			// tcpdump -r 1kxun.pcap -x 'udp port 123').
			name: "client request",
			fs:   flowSpec{proto: 17, src: "192.168.5.16", dst: "17.253.26.125", srcPort: 123, dstPort: 123},
			pkts: []pkt{{hex: "230206ec000026200000f6c911fd1a7ddb4a7e8f3d3ee739db4a8184a643c768db4a8184b424877edb4a81ec3f779f2c"}},
			want: Result{Application: "NTP", Category: "System", Confidence: 6},
		},
		{
			name: "version 5 is not NTP",
			fs:   flowSpec{proto: 17, src: "192.168.5.16", dst: "17.253.26.125", srcPort: 40000, dstPort: 123},
			pkts: []pkt{{hex: "2b0206ec"}},
			want: Result{Application: "NTP", Category: "System", Confidence: 1, IsGuessed: 1},
		},
	})
}
