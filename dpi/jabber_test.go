package dpi

import "testing"

func TestJabber(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "stream header",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 5222},
			pkts: []pkt{{hex: hexOf("<?xml version='1.0'?><stream:stream to='example.com' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")}},
			want: Result{Application: "Jabber", Category: "Web", Confidence: 6},
		},
		{
			name: "TruPhone",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 5222},
			pkts: []pkt{{hex: hexOf("<stream:stream to='im.truphone.com' xmlns:stream='http://etherx.jabber.org/streams'>")}},
			want: Result{Application: "TruPhone", Category: "VoIP", Confidence: 6},
		},
	})
}
