package dpi

import "testing"

func TestRX(t *testing.T) {
	runCases(t, []flowCase{
		{
			// rx.pcap, 131.114.219.168:41559 <-> 192.167.206.124:7002 (harness dump, cut).
			name: "call and answer",
			fs:   flowSpec{proto: 17, src: "131.114.219.168", dst: "192.167.206.124", srcPort: 41559, dstPort: 7002},
			pkts: []pkt{{hex: "570fb5605c3fc9880000000100000001000000010105000000000049000001f800000001"}, {dir: 1, hex: "570fb5605c3fc98800000001000000010000000101040000000000490000000100002711"}},
			want: Result{Application: "RX", Category: "RPC", Confidence: 6},
		},
		{
			name: "different connection",
			fs:   flowSpec{proto: 17, src: "131.114.219.168", dst: "192.167.206.124", srcPort: 41559, dstPort: 7002},
			pkts: []pkt{{hex: "570fb5605c3fc9880000000100000001000000010105000000000049000001f800000001"}, {dir: 1, hex: "570fb5605c3fc98900000001000000010000000101040000000000490000000100002711"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
