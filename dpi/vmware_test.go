package dpi

import "testing"

func TestVMware(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "heartbeat",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 902},
			pkts: []pkt{{hex: "a40000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"}},
			want: Result{Application: "VMware", Category: "RemoteAccess", Confidence: 6},
		},
	})
}
