package dpi

import "testing"

func TestAJP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "CPing",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 8019},
			pkts: []pkt{{hex: "123400010a"}},
			want: Result{Application: "AJP", Category: "Web", Confidence: 6},
		},
		{
			name: "wrong code",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 8019},
			pkts: []pkt{{hex: "1234000103"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
