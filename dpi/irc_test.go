package dpi

import "testing"

func TestIRC(t *testing.T) {
	fs := flowSpec{proto: 6, src: "10.180.156.249", dst: "38.229.70.20", srcPort: 45921, dstPort: 8000}
	runCases(t, []flowCase{
		{
			// irc.pcap, 10.180.156.249:45921 -> 38.229.70.20:8000 (harness dump): USER,
			// NICK, then the server's NOTICE.
			name: "registration",
			fs:   fs,
			pkts: []pkt{
				{hex: "55534552207878787878202b6977207878787878203a58787878787820587878780d0a"},
				{hex: "4e49434b206d6f6c6f6368746573740d0a"},
				{dir: 1, hex: "3a636172642e667265656e6f64652e6e6574204e4f54494345202a203a2a2a2a204c6f6f6b696e6720757020796f757220686f73746e616d652e2e2e0d0a"},
			},
			want: Result{Application: "IRC", Category: "Chat", Confidence: 6},
		},
		{
			name: "two commands only",
			fs:   fs,
			pkts: []pkt{{hex: hexOf("USER a b c :d\r\n")}, {hex: hexOf("NICK abcdef\r\n")}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
