package dpi

import "testing"

func TestCoAP(t *testing.T) {
	runCases(t, []flowCase{
		{
			// coap_mqtt.pcap, [2001:da8:215:1171:a10b:cb48:8f83:57f6]:61043 -> [2001:620:8:35d9::10]:5683.
			name: "GET .well-known/core",
			fs:   flowSpec{proto: 17, src: "2001:da8:215:1171:a10b:cb48:8f83:57f6", dst: "2001:620:8:35d9::10", srcPort: 61043, dstPort: 5683},
			pkts: []pkt{{hex: "430105ca7216332b2e77656c6c2d6b6e6f776e04636f7265"}},
			want: Result{Application: "COAP", Category: "RPC", Confidence: 6},
		},
		{
			name: "unknown code",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 5683},
			pkts: []pkt{{hex: "43ff05ca"}},
			want: Result{Application: "COAP", Category: "RPC", Confidence: 1, IsGuessed: 1},
		},
	})
}
