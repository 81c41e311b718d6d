package dpi

import "testing"

func TestIPSec(t *testing.T) {
	runCases(t, []flowCase{
		{
			// An IKE_SA_INIT header with 8 bytes of payload.
			name: "IKEv2 SA_INIT",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 500, dstPort: 500},
			pkts: []pkt{{hex: "111111111111111100000000000000002120220800000000000000240000000000000000"}},
			want: Result{Application: "IPSec", Category: "VPN", Confidence: 6},
		},
		{
			name: "NAT-T marker",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 4500, dstPort: 4500},
			pkts: []pkt{{hex: "00000000111111111111111100000000000000002120220800000000000000240000000000000000"}},
			want: Result{Application: "IPSec", Category: "VPN", Confidence: 6},
		},
		{
			name: "wrong length",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: "111111111111111100000000000000002120220800000000000000630000000000000000"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
