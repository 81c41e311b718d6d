package dpi

import "testing"

func TestCitrix(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "ICA probe",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1495},
			pkts: []pkt{{hex: "7f7f49434100"}},
			want: Result{Application: "Citrix", Category: "Network", Confidence: 6},
		},
	})
}
