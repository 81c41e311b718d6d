package dpi

import "testing"

func TestSOMEIP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "request",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 30491},
			pkts: []pkt{{hex: "123400010000000c0001000201010000aabbccdd"}},
			want: Result{Application: "SOMEIP", Category: "RPC", Confidence: 6},
		},
		{
			name: "magic cookie with a wrong request id",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 40001},
			pkts: []pkt{{hex: "ffff000000000008deadbeee01010100"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
