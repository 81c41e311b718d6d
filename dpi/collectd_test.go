package dpi

import "testing"

func TestCollectd(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "values packet",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 25826},
			pkts: []pkt{{hex: "00000012486f7374312e4578616d706c65000001000c000000005f5e100000020008637075000004000863707500"}},
			want: Result{Application: "collectd", Category: "System", Confidence: 6, ServerName: "host1.example"},
		},
		{
			name: "two parts only",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 25827},
			pkts: []pkt{{hex: "0000000668000001000c0000000000000000"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
