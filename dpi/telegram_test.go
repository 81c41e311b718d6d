package dpi

import "testing"

func TestTelegram(t *testing.T) {
	runCases(t, []flowCase{
		{
			// telegram.pcap, 192.168.1.77:23174 -> 91.108.8.7:521 (harness dump): twelve 0xFF.
			name: "UDP call",
			fs:   flowSpec{proto: 17, src: "192.168.1.77", dst: "91.108.8.7", srcPort: 23174, dstPort: 521},
			pkts: []pkt{{hex: "dc4c00291565b7acbc236da9eda0d597fffffffffffffffffffffffffeffffff28f946112601a2f0"}},
			want: Result{Application: "Telegram", Category: "Chat", Confidence: 6},
		},
		{
			name: "abridged MTProto",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "149.154.167.51", srcPort: 40000, dstPort: 443},
			pkts: []pkt{{hex: "ef0e00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"}},
			want: Result{Application: "Telegram", Category: "Chat", Confidence: 6},
		},
	})
}
