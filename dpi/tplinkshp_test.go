package dpi

import "testing"

func TestTPLinkSHP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "obfuscated JSON over UDP",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 9998},
			pkts: []pkt{{hex: "d0f281f88bff9af7d5ef94b6d1b4c09fec95e68fe187e8caf08bf68bf6"}},
			want: Result{Application: "TPLINK_SHP", Category: "IoT-Scada", Confidence: 6},
		},
		{
			name: "plain JSON",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 9998},
			pkts: []pkt{{hex: hexOf("{\"system\":1}")}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
