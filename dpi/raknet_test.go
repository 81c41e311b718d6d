package dpi

import "testing"

// Packets of raknet.pcap (nDPI's test capture), client 192.168.2.100:
//
//	tshark -r raknet.pcap -T fields -e udp.srcport -e udp.dstport -e udp.payload
const (
	raknetOpenReq1   = "0500ffff00fefefefefdfdfdfd1234567806" + "00000000000000000000"
	raknetOpenReply1 = "0600ffff00fefefefefdfdfdfd12345678000591a5360522200005d4"
	raknetOpenReq2   = "0700ffff00fefefefefdfdfdfd12345678046b66dc32ea7e024000000000490f027c"
	raknetOpenRep2   = "0800ffff00fefefefefdfdfdfd12345678000591a5360511a804a5457b7a80b7024000"
	raknetFrames     = "8402000000008803000000000015e95e000000130c201546"
	raknetAck        = "c0000100010000020000"
	raknetUnconPong  = "1c111111111111111122222222222222223333333333333333333333333333333300024141"
)

func TestRakNet(t *testing.T) {
	fs := flowSpec{proto: 17, src: "192.168.2.100", dst: "148.153.35.205", srcPort: 44501, dstPort: 60030}
	rak := Result{Application: "RakNet", Category: "Game", Confidence: 6}
	unknown := Result{Application: "Unknown", Category: "Unspecified"}
	runCases(t, []flowCase{
		// Request 1 asks for 6 packets and reply 1 for 4; request 2 asks
		// only for the default 3, so the third packet decides.
		{name: "offline handshake", fs: fs, want: rak,
			pkts: []pkt{{hex: raknetOpenReq1}, {dir: 1, hex: raknetOpenReply1}, {hex: raknetOpenReq2}}},
		{name: "two handshake packets are not enough", fs: fs, want: unknown,
			pkts: []pkt{{hex: raknetOpenReq1}, {dir: 1, hex: raknetOpenReply1}}},
		{name: "open connection reply 2 thrice", fs: fs, want: rak,
			pkts: []pkt{{hex: raknetOpenRep2}, {hex: raknetOpenRep2}, {hex: raknetOpenRep2}}},
		{name: "frame set decides at once", fs: fs, want: rak, pkts: []pkt{{hex: raknetFrames}}},
		{name: "ack decides at once", fs: fs, want: rak, pkts: []pkt{{hex: raknetAck}}},
		{name: "unconnected pong thrice", fs: fs, want: rak,
			pkts: []pkt{{hex: raknetUnconPong}, {hex: raknetUnconPong}, {hex: raknetUnconPong}}},
		{name: "unconnected pong with a wrong MOTD length", fs: fs, want: unknown,
			pkts: []pkt{{hex: raknetUnconPong + "00"}, {hex: raknetUnconPong}, {hex: raknetUnconPong}}},
		// The frame's low flag bits must be clear.
		{name: "frame set with bad flags", fs: fs, want: unknown,
			pkts: []pkt{{hex: "84020000018803000000000015e95e000000130c201546"}}},
		// One record announced, two present.
		{name: "ack count mismatch", fs: fs, want: unknown, pkts: []pkt{{hex: raknetAck + "01000003"}}},
		{name: "reply 1 MTU above 1500", fs: fs, want: unknown,
			pkts: []pkt{{hex: raknetOpenReq1}, {dir: 1, hex: "0600ffff00fefefefefdfdfdfd12345678000591a5360522200005dd"}, {hex: raknetOpenReq2}}},
		{name: "raknet over TCP is not looked for", want: unknown,
			fs:   flowSpec{proto: 6, src: "192.168.2.100", dst: "148.153.35.205", srcPort: 44501, dstPort: 60030},
			pkts: []pkt{{hex: raknetFrames}}},
	})
}
