package dpi

import "testing"

func TestDNP3(t *testing.T) {
	runCases(t, []flowCase{
		{
			// dnp3.pcap, 10.0.0.3:20000 -> 10.0.0.8:2789 (harness dump).
			name: "link frame",
			fs:   flowSpec{proto: 6, src: "10.0.0.3", dst: "10.0.0.8", srcPort: 20000, dstPort: 2789},
			pkts: []pkt{{hex: "05640a44030004007caee6f78210004fbd"}},
			want: Result{Application: "DNP3", Category: "IoT-Scada", Confidence: 6},
		},
	})
}

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

func TestS7comm(t *testing.T) {
	runCases(t, []flowCase{
		{
			// s7comm.pcap, 192.168.1.10:4185 -> 192.168.1.40:102: a COTP connection request.
			name: "COTP over TPKT",
			fs:   flowSpec{proto: 6, src: "192.168.1.10", dst: "192.168.1.40", srcPort: 4185, dstPort: 102},
			pkts: []pkt{{hex: "0300001611e00000000100c0010ac1020100c2020102"}},
			want: Result{Application: "s7comm", Category: "Network", Confidence: 6},
		},
	})
}
