package dpi

import "testing"

func TestMemcached(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "get and END",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 11212},
			pkts: []pkt{{hex: hexOf("get foo\r\n")}, {dir: 1, hex: hexOf("END\r\n")}},
			want: Result{Application: "Memcached", Category: "Network", Confidence: 6},
		},
		{
			name: "UDP frame",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 11212},
			pkts: []pkt{{hex: "0001000000010000676574206b65790d0a"}, {dir: 1, hex: "0001000000010000454e440d0a"}},
			want: Result{Application: "Memcached", Category: "Network", Confidence: 6},
		},
		{
			name: "one match",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 11212},
			pkts: []pkt{{hex: hexOf("get foo\r\n")}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
