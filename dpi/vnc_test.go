package dpi

import "testing"

func TestVNC(t *testing.T) {
	runCases(t, []flowCase{
		{
			// vnc.pcap, 192.168.2.110:6900 <-> 95.237.48.208:59791 (harness dump).
			name: "version exchange",
			fs:   flowSpec{proto: 6, src: "95.237.48.208", dst: "192.168.2.110", srcPort: 59791, dstPort: 6900},
			pkts: []pkt{{dir: 1, hex: "524642203030342e3030310a"}, {hex: "524642203030342e3030310a"}},
			want: Result{Application: "VNC", Category: "RemoteAccess", Confidence: 6},
		},
		{
			name: "one side only",
			fs:   flowSpec{proto: 6, src: "95.237.48.208", dst: "192.168.2.110", srcPort: 59791, dstPort: 6900},
			pkts: []pkt{{dir: 1, hex: "524642203030342e3030310a"}, {dir: 1, hex: "524642203030342e3030310a"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
