package dpi

import "testing"

func TestMGCP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "notify",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 2427, dstPort: 2727},
			pkts: []pkt{{hex: hexOf("NTFY 2001 aaln/1@GW.Example.net MGCP 1.0\r\n")}},
			want: Result{Application: "MGCP", Category: "VoIP", Confidence: 6, ServerName: "gw.example.net"},
		},
		{
			name: "no version",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 2427, dstPort: 2727},
			pkts: []pkt{{hex: hexOf("NTFY 2001 aaln/1@gw HTTP 1.0\r\n")}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
