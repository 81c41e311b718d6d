package dpi

import "testing"

func TestTeamViewer(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "TeamViewer address",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "178.77.120.5", srcPort: 40000, dstPort: 40001},
			pkts: []pkt{{hex: "0102030405"}},
			want: Result{Application: "TeamViewer", Category: "RemoteAccess", Confidence: 6},
		},
		{
			name: "command header on 5938",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 5938},
			pkts: []pkt{{hex: "17240a00000000"}},
			want: Result{Application: "TeamViewer", Category: "RemoteAccess", Confidence: 6},
		},
	})
}
