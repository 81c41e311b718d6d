package dpi

import "testing"

func TestSyslog(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "BSD message",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 514},
			pkts: []pkt{{hex: hexOf("<34>Oct 11 22:14:15 mymachine su: 'su root' failed")}},
			want: Result{Application: "Syslog", Category: "System", Confidence: 6},
		},
		{
			name: "tag colon without space",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: hexOf("<34>sshd:failed password for root")}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
