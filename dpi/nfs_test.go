package dpi

import "testing"

func TestNFS(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "mount call over UDP",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 800, dstPort: 20048},
			pkts: []pkt{{hex: "000012340000000000000002000186a3000000030000000000000000000000000000000000000000"}},
			want: Result{Application: "NFS", Category: "DataTransfer", Confidence: 6},
		},
		{
			name: "NFS call over TCP",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 800, dstPort: 20049},
			pkts: []pkt{{hex: "80000028000012340000000000000002000186a3000000030000000000000000000000000000000000000000"}},
			want: Result{Application: "NFS", Category: "DataTransfer", Confidence: 6},
		},
	})
}
