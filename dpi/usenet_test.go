package dpi

import "testing"

func TestUsenet(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "greeting and MODE READER",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1119},
			pkts: []pkt{{dir: 1, hex: hexOf("200 news.example.org ready\r\n")}, {hex: hexOf("MODE READER\r\n")}},
			want: Result{Application: "Usenet", Category: "Web", Confidence: 6},
		},
	})
}
