package dpi

import "testing"

// The payloads are the first packets of flows in the nDPI corpus capture
// of Alibaba Cloud traffic (TCP port 8999).
func TestAliCloud(t *testing.T) {
	fs := flowSpec{proto: 6, src: "192.168.2.100", dst: "8.209.104.12", srcPort: 39018, dstPort: 8999}
	ali := Result{Application: "AliCloud", Category: "Cloud", Confidence: 6}
	runCases(t, []flowCase{
		{name: "bare header announcing a length", fs: fs,
			pkts: []pkt{{hex: "cefabeba80000000"}}, want: ali},
		{name: "header and the whole message", fs: fs,
			pkts: []pkt{{hex: "cefabeba00000004deadbeef"}}, want: ali},
		{name: "bare header of an empty message", fs: fs,
			pkts: []pkt{{hex: "cefabeba00000000"}}, want: ali},
		{name: "short packet", fs: fs,
			pkts: []pkt{{hex: "cefabeba000000"}}, want: Result{Application: "Unknown", Category: "Unspecified"}},
		{name: "length not the rest of the packet", fs: fs,
			pkts: []pkt{{hex: "cefabeba00000005deadbeef"}}, want: Result{Application: "Unknown", Category: "Unspecified"}},
		{name: "other magic", fs: fs,
			pkts: []pkt{{hex: "cefabebb80000000"}}, want: Result{Application: "Unknown", Category: "Unspecified"}},
	})
}

func FuzzAliCloud(f *testing.F) {
	f.Add(mustHex(f, "cefabeba80000000"))
	f.Add(mustHex(f, "cefabeba00000004deadbeef"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzFlow(6, 39018, 8999, splitFuzz(b)...)
	})
}
