package dpi

import "testing"

func TestTeamSpeak(t *testing.T) {
	runCases(t, []flowCase{
		{
			// teamspeak3.pcap, 10.0.0.1:53187 -> 10.0.0.2:9987 (harness dump).
			name: "TS3INIT1",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 53187, dstPort: 9987},
			pkts: []pkt{{hex: "545333494e49543100650000880dd05766005f5916e0ade76b610000000000000000"}},
			want: Result{Application: "TeamSpeak", Category: "VoIP", Confidence: 6},
		},
	})
}
