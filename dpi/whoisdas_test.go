package dpi

import "testing"

func TestWhoisDAS(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "query",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 43},
			pkts: []pkt{{hex: hexOf("Example.COM\r\n")}},
			want: Result{Application: "Whois-DAS", Category: "Network", Confidence: 6, ServerName: "example.com"},
		},
	})
}
