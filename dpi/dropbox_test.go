package dpi

import "testing"

func TestDropbox(t *testing.T) {
	runCases(t, []flowCase{
		{
			// android.pcap, 192.168.2.1:17500 -> 192.168.2.255:17500 (harness dump, cut).
			name: "LAN sync discovery",
			fs:   flowSpec{proto: 17, src: "192.168.2.1", dst: "192.168.2.255", srcPort: 17500, dstPort: 17500},
			pkts: []pkt{{hex: "7b2276657273696f6e223a205b322c20305d2c2022706f7274223a2031373530302c2022686f73745f696e74223a2033333034303236323430"}},
			want: Result{Application: "Dropbox", Category: "Cloud", Confidence: 6},
		},
		{
			// coap_mqtt.pcap, 192.168.56.1:50311 -> 192.168.56.101:17500.
			name: "Bus17Cmd",
			fs:   flowSpec{proto: 17, src: "192.168.56.1", dst: "192.168.56.101", srcPort: 50311, dstPort: 17500},
			pkts: []pkt{{hex: "430335016f524d72445c4172084275733137436d641132ff7b226d65737361676554797065223a22555044415445222c226d657373616765436f6e74656e74223a22467269204665622031392032303a34313a3131204545542032303136227d"}},
			want: Result{Application: "Dropbox", Category: "Cloud", Confidence: 6},
		},
	})
}
