package dpi

import "testing"

func TestOracle(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "marker on 1521",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1521},
			pkts: []pkt{{hex: "07ff000102"}},
			want: Result{Application: "Oracle", Category: "Database", Confidence: 6},
		},
	})
}
