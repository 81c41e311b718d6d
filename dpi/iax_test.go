package dpi

import "testing"

func TestIAX(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "NEW with information elements",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 4569, dstPort: 4569},
			pkts: []pkt{{hex: "80010000000000000000060b0b0200020603616263"}},
			want: Result{Application: "IAX", Category: "VoIP", Confidence: 6},
		},
		{
			// Not IAX: the element lengths overrun the packet; the 0x80 first byte then
			// makes it RTP.
			name: "elements overrun (then RTP-shaped)",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 4569},
			pkts: []pkt{{hex: "80010000000000000000060b0b0900"}},
			want: Result{Application: "RTP", Category: "Media", Confidence: 6},
		},
	})
}
