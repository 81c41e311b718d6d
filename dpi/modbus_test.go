package dpi

import "testing"

func TestModbus(t *testing.T) {
	runCases(t, []flowCase{
		{
			// modbus.pcap, 192.168.110.131:2074 -> 192.168.110.138:502 (harness dump).
			name: "read holding registers",
			fs:   flowSpec{proto: 6, src: "192.168.110.131", dst: "192.168.110.138", srcPort: 2074, dstPort: 502},
			pkts: []pkt{{hex: "00d100000006010300010001"}},
			want: Result{Application: "Modbus", Category: "IoT-Scada", Confidence: 6},
		},
		{
			name: "length mismatch",
			fs:   flowSpec{proto: 6, src: "192.168.110.131", dst: "192.168.110.138", srcPort: 2074, dstPort: 502},
			pkts: []pkt{{hex: "00d100000007010300010001"}},
			want: Result{Application: "Modbus", Category: "IoT-Scada", Confidence: 1, IsGuessed: 1},
		},
	})
}
