package dpi

import "testing"

func TestStarcraft(t *testing.T) {
	runCases(t, []flowCase{
		{
			// starcraft_battle.pcap, 192.168.1.100:3517 -> 213.248.127.130:1119 (the EU
			// logon portal): the login message, padded.
			name: "login",
			fs:   flowSpec{proto: 6, src: "192.168.1.100", dst: "213.248.127.130", srcPort: 3517, dstPort: 1119},
			pkts: []pkt{{hex: "4a00000a66020aed2d66000000000000"}},
			want: Result{Application: "Starcraft", Category: "Game", Confidence: 6},
		},
		{
			name: "login to another server",
			fs:   flowSpec{proto: 6, src: "192.168.1.100", dst: "10.0.0.2", srcPort: 3517, dstPort: 1120},
			pkts: []pkt{{hex: "4a00000a66020aed2d66000000000000"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}

func TestStarcraftUDPSizes(t *testing.T) {
	sizes := []int{20, 20, 85, 20, 548, 548, 548, 484}
	pkts := make([]pkt, len(sizes))
	payloads := make([][]byte, len(sizes))
	for i, n := range sizes {
		payloads[i] = make([]byte, n)
		payloads[i][0] = 0x77 // no other dissector's pattern
	}
	got := runPayloads(flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 1119}, pkts, payloads)
	if got.Application != "Starcraft" || got.Confidence != 6 {
		t.Errorf("got %s/%d, want Starcraft/6", got.Application, got.Confidence)
	}
}
