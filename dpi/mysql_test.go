package dpi

import "testing"

func TestMySQL(t *testing.T) {
	runCases(t, []flowCase{
		{
			// mysql-8.pcap, 10.42.18.198:3306 -> 192.168.1.105:8738 (harness dump).
			name: "server greeting",
			fs:   flowSpec{proto: 6, src: "10.42.18.198", dst: "192.168.1.105", srcPort: 3306, dstPort: 8738},
			pkts: []pkt{{hex: "530000000a382e352e34342d302b6465623875310026000000315e69742a72224d00fff70802000f801500000000000000000000403a3e6b215e37364a503558006d7973716c5f6e61746976655f70617373776f726400"}},
			want: Result{Application: "MySQL", Category: "Database", Confidence: 6},
		},
	})
}
