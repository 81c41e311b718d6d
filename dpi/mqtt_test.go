package dpi

import "testing"

func TestMQTT(t *testing.T) {
	runCases(t, []flowCase{
		{
			// coap_mqtt.pcap, 192.168.56.1:53522 -> 192.168.56.101:17501 (harness dump).
			name: "PINGREQ",
			fs:   flowSpec{proto: 6, src: "192.168.56.1", dst: "192.168.56.101", srcPort: 53522, dstPort: 17501},
			pkts: []pkt{{hex: "c000"}},
			want: Result{Application: "MQTT", Category: "RPC", Confidence: 6},
		},
		{
			name: "CONNECT",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1883},
			pkts: []pkt{{hex: "101000044d5154540402003c000474657374"}},
			want: Result{Application: "MQTT", Category: "RPC", Confidence: 6},
		},
		{
			name: "PUBLISH QoS 2 is refused",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: "3407000161000100ff"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
		{
			name: "length mismatch",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: "c001"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
