package dpi

import "testing"

func TestXDMCP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "length mismatch",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 177},
			pkts: []pkt{{hex: "00010002000500"}},
			want: Result{Application: "XDMCP", Category: "RemoteAccess", Confidence: 1, IsGuessed: 1},
		},
		{
			name: "broadcast query",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 177},
			pkts: []pkt{{hex: "00010002000100"}},
			want: Result{Application: "XDMCP", Category: "RemoteAccess", Confidence: 6},
		},
	})
}
