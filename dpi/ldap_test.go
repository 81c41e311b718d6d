package dpi

import "testing"

func TestLDAP(t *testing.T) {
	runCases(t, []flowCase{
		{
			// An anonymous LDAPv3 bindRequest (messageID 1, [APPLICATION 0]).
			name: "bind request",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 389},
			pkts: []pkt{{hex: "300c020101600702010304008000"}},
			want: Result{Application: "LDAP", Category: "System", Confidence: 6},
		},
		{
			name: "universal tag",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: "300c020101300702010304008000"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
