package dpi

import "testing"

// pptpStart is the first 24 bytes of pptp.pcap's Start-Control-Connection-
// Request (nDPI's test capture), its length field set to those 24 bytes.
const pptpStart = "001800011a2b3c4d00010000010000000000000000000000"

func TestPPTP(t *testing.T) {
	fs := flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1723}
	off := flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 40001}
	runCases(t, []flowCase{
		{name: "start request", fs: fs, pkts: []pkt{{dir: 1, hex: pptpStart}},
			want: Result{Application: "PPTP", Category: "VPN", Confidence: 6}},
		{name: "any port", fs: off, pkts: []pkt{{dir: 1, hex: pptpStart}},
			want: Result{Application: "PPTP", Category: "VPN", Confidence: 6}},
		// A Start-Control-Connection-Reply (control type 2) first is not
		// how nDPI recognises PPTP.
		{name: "reply first", fs: off, pkts: []pkt{{dir: 1, hex: "001800011a2b3c4d00020000010000000000000000000000"}}, want: unknownResult},
		{name: "length disagrees", fs: off, pkts: []pkt{{dir: 1, hex: "009c00011a2b3c4d00010000010000000000000000000000"}}, want: unknownResult},
		{name: "bad cookie", fs: off, pkts: []pkt{{dir: 1, hex: "001800011a2b3c4e00010000010000000000000000000000"}}, want: unknownResult},
	})
}

func FuzzPPTP(f *testing.F) {
	f.Add(mustHex(f, pptpStart))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps := splitFuzz(b)
		fuzzFlow(6, 40000, 1723, ps...)
		fuzzFlow(6, 40000, 40001, ps...)
	})
}
