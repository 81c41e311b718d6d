package dpi

import "testing"

func TestH323(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "two TPKT messages",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1720},
			pkts: []pkt{{hex: "030000090802000100"}, {dir: 1, hex: "030000090802000200"}},
			want: Result{Application: "H323", Category: "VoIP", Confidence: 6},
		},
		{
			name: "RAS on 1719",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1719},
			pkts: []pkt{{hex: "16800001060000"}},
			want: Result{Application: "H323", Category: "VoIP", Confidence: 6},
		},
	})
}
