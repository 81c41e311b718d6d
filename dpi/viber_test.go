package dpi

import "testing"

func TestViber(t *testing.T) {
	runCases(t, []flowCase{
		{
			// A frame whose little-endian length (0x000d) is the packet's, with fc ff at offset 6 and 0x80 at 9.
			name: "TCP frame",
			fs:   flowSpec{proto: 6, src: "192.168.0.17", dst: "52.0.253.101", srcPort: 33208, dstPort: 4245},
			pkts: []pkt{{hex: "0d000a000000fcff00800a00ff"}},
			want: Result{Application: "Viber", Category: "VoIP", Confidence: 6},
		},
		{
			// viber.pcap, 192.168.0.17:47171 -> 18.201.4.32:7987 (harness dump, cut).
			name: "UDP relay cut short is only guessed",
			fs:   flowSpec{proto: 17, src: "192.168.0.17", dst: "18.201.4.32", srcPort: 47171, dstPort: 7987},
			pkts: []pkt{{hex: "edf61900ac19358c8f64e44725df4d4ee1cd371b5c"}},
			want: Result{Application: "Viber", Category: "VoIP", Confidence: 1, IsGuessed: 1},
		},
		{
			name: "UDP control",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: "abcd0300112233"}},
			want: Result{Application: "Viber", Category: "VoIP", Confidence: 6},
		},
	})
}
