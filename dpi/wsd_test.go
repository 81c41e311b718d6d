package dpi

import "testing"

func TestWSD(t *testing.T) {
	runCases(t, []flowCase{
		{
			// upnp.pcap, [fe80::3441:3d24:6d30:a807]:58932 -> [ff02::c]:3702 (cut).
			name: "probe",
			fs:   flowSpec{proto: 17, src: "fe80::3441:3d24:6d30:a807", dst: "ff02::c", srcPort: 58932, dstPort: 3702},
			pkts: []pkt{{hex: "3c3f786d6c2076657273696f6e3d22312e302220656e636f64696e673d227574662d38223f3e3c736f61703a456e76656c6f706520"}},
			want: Result{Application: "WSD", Category: "Network", Confidence: 6},
		},
		{
			name: "unicast",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 58932, dstPort: 3702},
			pkts: []pkt{{hex: "3c3f786d6c2076657273696f6e3d22312e302220656e636f64696e673d227574662d38223f3e3c736f61703a456e76656c6f706520"}},
			want: Result{Application: "WSD", Category: "Network", Confidence: 1, IsGuessed: 1},
		},
	})
}
