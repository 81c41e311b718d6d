package dpi

import "testing"

func TestMunin(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "node banner",
			fs:   flowSpec{proto: 6, src: "10.0.0.2", dst: "10.0.0.1", srcPort: 4949, dstPort: 40000},
			pkts: []pkt{{hex: hexOf("# munin node at Host.Example.org\n")}},
			want: Result{Application: "Munin", Category: "System", Confidence: 6, ServerName: "host.example.org"},
		},
	})
}
