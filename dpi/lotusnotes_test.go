package dpi

import "testing"

func TestLotusNotes(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "first packet after handshake",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1353},
			pkts: []pkt{{flags: FlagSYN}, {dir: 1, flags: FlagSYN | FlagACK}, {flags: FlagACK}, {hex: "000000000000000002000040020f0000000000"}},
			want: Result{Application: "LotusNotes", Category: "Collaborative", Confidence: 6},
		},
	})
}
