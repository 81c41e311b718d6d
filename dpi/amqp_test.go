package dpi

import "testing"

func TestAMQP(t *testing.T) {
	runCases(t, []flowCase{
		{
			// amqp.pcap, 127.0.0.1:44205 -> 127.0.1.1:5672 (harness dump).
			name: "basic.publish",
			fs:   flowSpec{proto: 6, src: "127.0.0.1", dst: "127.0.1.1", srcPort: 44205, dstPort: 5672},
			pkts: []pkt{{hex: "01000100000021003c002800000863656c657279657610776f726b65722e68656172746265617400ce"}},
			want: Result{Application: "AMQP", Category: "RPC", Confidence: 6},
		},
	})
}
