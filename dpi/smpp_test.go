package dpi

import "testing"

func TestSMPP(t *testing.T) {
	fs := flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 2775}
	runCases(t, []flowCase{
		{
			name: "enquire_link",
			fs:   fs,
			pkts: []pkt{{hex: "00000010000000150000000000000001"}},
			want: Result{Application: "SMPP", Category: "Download", Confidence: 6},
		},
		{
			name: "two PDUs in one segment",
			fs:   fs,
			pkts: []pkt{{hex: "00000010800000150000000000000001" + "00000010000000150000000000000002"}},
			want: Result{Application: "SMPP", Category: "Download", Confidence: 6},
		},
		{
			name: "enquire_link with a body",
			fs:   fs,
			pkts: []pkt{{hex: "0000001100000015000000000000000100"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
