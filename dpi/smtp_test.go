package dpi

import "testing"

func TestSMTP(t *testing.T) {
	fs := flowSpec{proto: 6, src: "10.0.0.1", dst: "173.194.68.26", srcPort: 57406, dstPort: 25}
	// smtp-starttls.pcap, 10.0.0.1:57406 <-> 173.194.68.26:25 (harness dump):
	// greeting, EHLO, the 250 capability list, STARTTLS, 220.
	greeting := pkt{dir: 1, hex: "323230206d782e676f6f676c652e636f6d2045534d54502073347369393639363335387163632e3633202d2067736d74700d0a"}
	ehlo := pkt{hex: "45484c4f20787878787878787878787878782e7878782e636f6d0d0a"}
	caps := pkt{dir: 1, hex: "3235302d6d782e676f6f676c652e636f6d20617420796f757220736572766963652c205b31302e3030302e3030302e30315d0d0a3235302d53495a452033353838323537370d0a3235302d384249544d494d450d0a3235302d5354415254544c530d0a3235302d454e48414e434544535441545553434f4445530d0a3235302d504950454c494e494e470d0a323530204348554e4b494e470d0a"}
	starttls := pkt{hex: "5354415254544c530d0a"}
	ready := pkt{dir: 1, hex: "32323020322e302e3020526561647920746f20737461727420544c530d0a"}
	runCases(t, []flowCase{
		{
			// The greeting names mx.google.com, a Google host: SMTP.Google at once.
			name: "greeting host rule",
			fs:   fs,
			pkts: []pkt{greeting, ehlo, caps},
			want: Result{Application: "SMTP.Google", Category: "Email", Confidence: 6, ServerName: "mx.google.com"},
		},
		{
			name: "STARTTLS accepted",
			fs:   fs,
			pkts: []pkt{greeting, ehlo, caps, starttls, ready},
			want: Result{Application: "SMTPS.Google", Category: "Email", Confidence: 6, ServerName: "mx.google.com"},
		},
		{
			name: "three commands without a host rule",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 57406, dstPort: 2525},
			pkts: []pkt{{dir: 1, hex: hexOf("220 (mail server ready)\r\n")}, {hex: hexOf("HELO me\r\n")}, {dir: 1, hex: hexOf("250 hello\r\n")}},
			want: Result{Application: "SMTP", Category: "Email", Confidence: 6},
		},
	})
}
