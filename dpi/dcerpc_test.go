package dpi

import "testing"

func TestDCERPC(t *testing.T) {
	runCases(t, []flowCase{
		{
			// A 72-byte connection-oriented bind header (version 5, type 11).
			name: "bind over TCP",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 49155, dstPort: 49664},
			pkts: []pkt{{hex: "05000b031000000048000000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"}},
			want: Result{Application: "RPC", Category: "RPC", Confidence: 6},
		},
		{
			name: "wrong length",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 49155, dstPort: 49664},
			pkts: []pkt{{hex: "05000b031000000049000000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
