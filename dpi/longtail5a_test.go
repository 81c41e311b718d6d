package dpi

import "testing"

// Packets of nDPI's test captures named above each constant, printed with
//
//	tshark -r <capture> -T fields -e tcp.payload -e udp.payload
const (
	// merakicloud.pcapng, the cloud's answer (UDP 7351)
	merakiReply = "fef728910d01002e060000020000000000000000000000010014020863bebe34299a7a9307080000000238056aa7"
	// crynet.pcap, the client's first packet
	crynetHello = "3c000008ed000000000000000000000001000000070000000307000000040000000000000004476623c462127df0492fd79ac9341d3bd07b18023b5e948392eff15a19370dc4"
	// i3d.pcap, the client's first packet and a game packet's first 74 bytes
	i3dHello = "000100460003cfa80000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000016b0"
	i3dGame  = "9067f39deed80b5c0003cfa9bede000398dce1d11adefbf3898f647183e932de167659146db78cd6859f4a217027d1adf8abd1000723dca1160c7e9124902fbaef107b88c08244a9f3bfc33c"
	// elasticsearch.pcap, a handshake answer
	esHandshake = "455300000013000000000000000109005cc6630000cbf6ae03"
	// rsh.pcap: the stderr port, then users and command
	rshPort1   = "3130323200"
	rshCommand = "6c6e7300726f6f74006d6b646972207465737464697200"
)

var unknownResult = Result{Application: "Unknown", Category: "Unspecified"}

func TestMerakiCloud(t *testing.T) {
	on := flowSpec{proto: 17, src: "2.36.234.133", dst: "209.206.59.34", srcPort: 47301, dstPort: 7351}
	off := on
	off.dstPort = 7352
	runCases(t, []flowCase{
		{name: "magic on 7351", fs: on, pkts: []pkt{{dir: 1, hex: merakiReply}},
			want: Result{Application: "MerakiCloud", Category: "Network", Confidence: 6}},
		{name: "magic on another port", fs: off, pkts: []pkt{{dir: 1, hex: merakiReply}}, want: unknownResult},
		{name: "only the magic", fs: on, pkts: []pkt{{hex: "fef72891"}}, want: unknownResult},
	})
}

func TestHPVirtGrp(t *testing.T) {
	fs := flowSpec{proto: 6, src: "192.168.2.100", dst: "160.44.194.66", srcPort: 46570, dstPort: 5223}
	hp := Result{Application: "HP_VIRTGRP", Category: "Network", Confidence: 6}
	runCases(t, []flowCase{
		// hpvirtgrp.pcap's records are 0x16, the length of the whole
		// payload, a zero byte, then ciphertext.
		{name: "length matches", fs: fs, want: hp, pkts: []pkt{{hex: "16000800aa884262"}}},
		{name: "length off by one", fs: fs, want: unknownResult, pkts: []pkt{{hex: "16000900aa884262"}}},
		{name: "fourth byte not zero", fs: fs, want: unknownResult, pkts: []pkt{{hex: "16000801aa884262"}}},
		// Only the first payload packet counts.
		{name: "second packet", fs: fs, want: unknownResult,
			pkts: []pkt{{hex: "0102030405"}, {dir: 1, hex: "16000800aa884262"}}},
	})
}

func TestCryNetwork(t *testing.T) {
	fs := flowSpec{proto: 17, src: "192.168.2.100", dst: "78.159.118.97", srcPort: 61837, dstPort: 25383}
	bad := []byte(crynetHello)
	copy(bad[32:], "02") // byte 16 must be 1
	runCases(t, []flowCase{
		{name: "client hello", fs: fs, pkts: []pkt{{hex: crynetHello}},
			want: Result{Application: "CryNetwork", Category: "Game", Confidence: 6}},
		{name: "marker byte differs", fs: fs, pkts: []pkt{{hex: string(bad)}}, want: unknownResult},
		{name: "length byte differs", fs: fs, pkts: []pkt{{hex: "3d" + crynetHello[2:]}}, want: unknownResult},
	})
}

func TestI3D(t *testing.T) {
	fs := flowSpec{proto: 17, src: "192.168.2.100", dst: "213.163.87.47", srcPort: 62461, dstPort: 50004}
	i3d := Result{Application: "i3D", Category: "Game", Confidence: 6}
	runCases(t, []flowCase{
		{name: "hello", fs: fs, want: i3d, pkts: []pkt{{hex: i3dHello}}},
		{name: "hello of 73 bytes", fs: fs, want: unknownResult, pkts: []pkt{{hex: i3dHello[:146]}}},
		// A game packet looks like RTP (version 2), whose dissector runs
		// earlier: alone it is RTP, as in nDPI.
		{name: "game packet alone", fs: fs, want: Result{Application: "RTP", Category: "Media", Confidence: 6},
			pkts: []pkt{{hex: i3dGame}}},
	})
	// The game-packet pattern, to the dissector itself.
	for _, c := range []struct {
		hex  string
		want Verdict
	}{{i3dGame, Done}, {"9078" + i3dGame[4:], Done}, {"9068" + i3dGame[4:], NotMine}, {i3dGame[:146], NotMine}} {
		var st State
		if got := (i3dDissector{}).Dissect(&Packet{Payload: mustHex(t, c.hex)}, &st); got != c.want {
			t.Errorf("i3D dissector on %.8s…: %v, want %v", c.hex, got, c.want)
		}
		if app, _ := st.Protocol(); (app == protoI3D) != (c.want == Done) {
			t.Errorf("i3D dissector on %.8s…: protocol %v", c.hex, app)
		}
	}
}

func TestElasticsearch(t *testing.T) {
	fs := flowSpec{proto: 6, src: "172.16.17.102", dst: "172.16.16.107", srcPort: 40282, dstPort: 9300}
	runCases(t, []flowCase{
		{name: "handshake answer", fs: fs, pkts: []pkt{{dir: 1, hex: esHandshake}},
			want: Result{Application: "Elasticsearch", Category: "System", Confidence: 6}},
		{name: "truncated message", fs: fs, pkts: []pkt{{dir: 1, hex: esHandshake[:48]}}, want: unknownResult},
		{name: "no ES marker", fs: fs, pkts: []pkt{{dir: 1, hex: "4554" + esHandshake[4:]}}, want: unknownResult},
	})
}

func TestUltraSurf(t *testing.T) {
	fs := flowSpec{proto: 6, src: "10.132.0.23", dst: "65.49.68.25", srcPort: 38120, dstPort: 50053}
	runCases(t, []flowCase{
		{name: "marker", fs: fs, pkts: []pkt{{dir: 1, hex: "cc1c30415ba43866996feba3ffc3dd23"}},
			want: Result{Application: "UltraSurf", Category: "VPN", Confidence: 6}},
		{name: "half the marker", fs: fs, pkts: []pkt{{dir: 1, hex: "cc1c3041"}}, want: unknownResult},
	})
}

func TestRSH(t *testing.T) {
	fs := flowSpec{proto: 6, src: "127.0.0.1", dst: "127.0.0.1", srcPort: 1023, dstPort: 514}
	rsh := Result{Application: "RSH", Category: "RemoteAccess", Confidence: 6}
	runCases(t, []flowCase{
		{name: "port then command", fs: fs, want: rsh, pkts: []pkt{{hex: rshPort1}, {hex: rshCommand}}},
		// Without the dissector the flow falls back on the TCP 514 port
		// guess (Syslog), as nDPI's would.
		{name: "letters in the port", fs: fs, want: Result{Application: "Syslog", Category: "System", IsGuessed: 1, Confidence: 1},
			pkts: []pkt{{hex: "3130613200"}, {hex: rshCommand}}},
		{name: "one user name only", fs: fs, want: Result{Application: "Syslog", Category: "System", IsGuessed: 1, Confidence: 1},
			pkts: []pkt{{hex: rshPort1}, {hex: hexOf("root") + "00"}}},
		{name: "off port", want: unknownResult, fs: flowSpec{proto: 6, src: "127.0.0.1", dst: "127.0.0.2", srcPort: 40000, dstPort: 40001},
			pkts: []pkt{{hex: rshPort1}, {hex: hexOf("root\x00") + "01"}}},
		{name: "off port with users and command", want: rsh, fs: flowSpec{proto: 6, src: "127.0.0.1", dst: "127.0.0.2", srcPort: 40000, dstPort: 40001},
			pkts: []pkt{{hex: rshPort1}, {hex: rshCommand}}},
	})
}
