package dpi

import "testing"

func TestTiVoConnect(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "beacon",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.255", srcPort: 2190, dstPort: 2191},
			pkts: []pkt{{hex: hexOf("tivoconnect=1\nswversion=1\nmethod=broadcast\n")}},
			want: Result{Application: "TiVoConnect", Category: "Network", Confidence: 6},
		},
	})
}
