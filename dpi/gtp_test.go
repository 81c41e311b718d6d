package dpi

import "testing"

func TestGTP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "GTP-U G-PDU",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 2152, dstPort: 2152},
			pkts: []pkt{{hex: "30ff00040000000145000000"}},
			want: Result{Application: "GTP.GTP_U", Category: "Network", Confidence: 6},
		},
		{
			name: "GTP-C v2 echo",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 2123},
			pkts: []pkt{{hex: "400100080000010003000100"}},
			want: Result{Application: "GTP.GTP_C", Category: "Network", Confidence: 6},
		},
		{
			name: "GTP-C v1 length mismatch",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 2123},
			pkts: []pkt{{hex: "320100090000000000000000"}},
			want: Result{Application: "GTP", Category: "Network", Confidence: 1, IsGuessed: 1},
		},
	})
}
