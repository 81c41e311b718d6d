package dpi

import "testing"

func TestSIP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "INVITE",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 5062, dstPort: 5060},
			pkts: []pkt{{hex: hexOf("INVITE sip:bob@example.com SIP/2.0\r\n")}},
			want: Result{Application: "SIP", Category: "VoIP", Confidence: 6},
		},
		{
			name: "lower-case status",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: hexOf("sip/2.0 200 OK\r\nVia: x\r\n")}},
			want: Result{Application: "SIP", Category: "VoIP", Confidence: 6},
		},
		{
			name: "mixed case is not SIP",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: hexOf("Invite sip:bob@example.com SIP/2.0\r\n")}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
		{
			name: "OPTIONS tel",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: hexOf("OPTIONS tel:+123456 SIP/2.0\r\n")}},
			want: Result{Application: "SIP", Category: "VoIP", Confidence: 6},
		},
	})
}
