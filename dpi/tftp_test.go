package dpi

import "testing"

func TestTFTP(t *testing.T) {
	runCases(t, []flowCase{
		{
			// tftp.pcap, 192.168.0.253:50618 -> 192.168.0.10:69 (harness dump): RRQ rfc1350.txt, octet.
			name: "read request",
			fs:   flowSpec{proto: 17, src: "192.168.0.253", dst: "192.168.0.10", srcPort: 50618, dstPort: 69},
			pkts: []pkt{{hex: "0001726663313335302e747874006f6374657400"}},
			want: Result{Application: "TFTP", Category: "DataTransfer", Confidence: 6},
		},
		{
			// tftp.pcap's transfer flow: DATA and ACK packets (data cut).
			name: "four transfer packets",
			fs:   flowSpec{proto: 17, src: "192.168.0.10", dst: "192.168.0.253", srcPort: 3445, dstPort: 50618},
			pkts: []pkt{{hex: "000300010a0a0a0a"}, {dir: 1, hex: "00040001"}, {hex: "000300024220"}, {dir: 1, hex: "00040002"}},
			want: Result{Application: "TFTP", Category: "DataTransfer", Confidence: 6},
		},
		{
			name: "unknown mode",
			fs:   flowSpec{proto: 17, src: "192.168.0.253", dst: "192.168.0.10", srcPort: 50618, dstPort: 69},
			pkts: []pkt{{hex: "0001726663313335302e74787400626164626164626100"}},
			want: Result{Application: "TFTP", Category: "DataTransfer", Confidence: 1, IsGuessed: 1},
		},
	})
}
