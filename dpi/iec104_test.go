package dpi

import "testing"

func TestIEC60870(t *testing.T) {
	runCases(t, []flowCase{
		{
			// IEC104.pcap, 10.175.211.1:2404 -> 10.119.105.26:54768 (harness dump).
			name: "U frame",
			fs:   flowSpec{proto: 6, src: "10.175.211.1", dst: "10.119.105.26", srcPort: 2404, dstPort: 54768},
			pkts: []pkt{{hex: "6804010042b9"}},
			want: Result{Application: "IEC60870", Category: "IoT-Scada", Confidence: 6},
		},
		{
			name: "two APDUs",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: "6804010042b96804010042b9"}},
			want: Result{Application: "IEC60870", Category: "IoT-Scada", Confidence: 6},
		},
		{
			name: "short APDU",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: "6805010042b9"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
