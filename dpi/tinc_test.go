package dpi

import "testing"

func TestTINC(t *testing.T) {
	runCases(t, []flowCase{
		{
			// tinc.pcap, 131.114.168.27:59244 <-> 185.83.218.112:55655 (harness dump; keys cut).
			name: "ID and METAKEY lines",
			fs:   flowSpec{proto: 6, src: "131.114.168.27", dst: "185.83.218.112", srcPort: 59244, dstPort: 55655},
			pkts: []pkt{{hex: "30207468696e6b2031370a"}, {dir: 1, hex: "3020696e697a2031370a"}, {hex: "31203432392036373220302030203243444139394437313230464436444542433042453042303835323838370a"}, {dir: 1, hex: "3120393420363420302030203642323539373039423241444430383938424238413938374141333339460a"}},
			want: Result{Application: "TINC", Category: "VPN", Confidence: 6},
		},
		{
			name: "ID only",
			fs:   flowSpec{proto: 6, src: "131.114.168.27", dst: "185.83.218.112", srcPort: 59244, dstPort: 55655},
			pkts: []pkt{{hex: "30207468696e6b2031370a"}, {dir: 1, hex: "3020696e697a2031370a"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
