package dpi

import "testing"

func TestSteam(t *testing.T) {
	runCases(t, []flowCase{
		{
			// steam.pcap, 192.168.188.149:45665 -> 146.66.152.13:27018 (harness dump;
			// tcpdump -r steam.pcap -x 'udp port 45665').
			name: "VS01",
			fs:   flowSpec{proto: 17, src: "192.168.188.149", dst: "146.66.152.13", srcPort: 45665, dstPort: 27018},
			pkts: []pkt{{hex: "565330310000010000060000000000000100000000000000000000000000000000000000"}},
			want: Result{Application: "Steam", Category: "Game", Confidence: 6},
		},
		{
			// steam_datagram_relay_ping.pcapng, 192.168.2.100:52157 -> 139.45.193.10:27018 (cut).
			name: "datagram relay ping",
			fs:   flowSpec{proto: 17, src: "192.168.2.100", dst: "139.45.193.10", srcPort: 52157, dstPort: 27018},
			pkts: []pkt{{hex: "0101736470696e67a1dc29e399650000000000003f01000093a42d8b130c0a00"}},
			want: Result{Application: "Steam", Category: "Game", Confidence: 6},
		},
		{
			name: "query answered from the other side",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 40001},
			pkts: []pkt{{hex: "31ff302e00"}, {hex: "31ff302e01"}, {dir: 1, hex: "ffffffff49"}},
			want: Result{Application: "Steam", Category: "Game", Confidence: 6},
		},
		{
			name: "query answered from the same side",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 40001},
			pkts: []pkt{{hex: "31ff302e00"}, {hex: "ffffffff49"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
		{
			name: "TCP handshake",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 27030},
			pkts: []pkt{{hex: "01000000"}, {dir: 1, hex: "00"}},
			want: Result{Application: "Steam", Category: "Game", Confidence: 6},
		},
	})
}
