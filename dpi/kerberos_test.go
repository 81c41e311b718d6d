package dpi

import (
	"strings"
	"testing"
)

// krbASReq is the start of an AS-REQ: [APPLICATION 10], SEQUENCE, pvno 5,
// msg-type 10, then filler up to 70 bytes.
var krbASReq = "6a81b03081ada103020105a20302010a" + strings.Repeat("00", 54)

func TestKerberos(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "AS-REQ over UDP",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 88},
			pkts: []pkt{{hex: krbASReq}},
			want: Result{Application: "Kerberos", Category: "Network", Confidence: 6},
		},
		{
			// The 4-byte record length announces 70 bytes; they come in two segments.
			name: "AS-REQ over TCP in two segments",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 88},
			pkts: []pkt{{hex: "00000046" + krbASReq[:60]}, {hex: krbASReq[60:]}},
			want: Result{Application: "Kerberos", Category: "Network", Confidence: 6},
		},
		{
			name: "unknown message type",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 88},
			pkts: []pkt{{hex: strings.Replace(krbASReq, "a20302010a", "a203020110", 1)}},
			want: Result{Application: "Kerberos", Category: "Network", Confidence: 1, IsGuessed: 1},
		},
	})
}
