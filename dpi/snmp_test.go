package dpi

import "testing"

func TestSNMP(t *testing.T) {
	runCases(t, []flowCase{
		{
			// A GetRequest (community "public") in BER.
			name: "v2c get",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 161},
			pkts: []pkt{{hex: "302602010104067075626c6963a019020401020304020100020100300b300906052b060102010500"}},
			want: Result{Application: "SNMP", Category: "Network", Confidence: 6},
		},
		{
			name: "wrong length",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 161},
			pkts: []pkt{{hex: "302702010104067075626c6963a019020401020304020100020100300b300906052b060102010500"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
