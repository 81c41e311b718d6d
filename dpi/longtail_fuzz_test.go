package dpi

import "testing"

// Fuzz targets of the long-tail dissectors. Each feeds up to four packets
// (the input split at "\xff\x00") through the whole engine on the ports
// that make its family's dissectors run first; they check only that no
// byte sequence panics. Seeds come from the unit tests' corpus packets.

func FuzzSSH(f *testing.F) {
	f.Add([]byte("SSH-2.0-OpenSSH_9.0\r\n\xff\x00SSH-2.0-x\r\n\xff\x00" + string(mustHex(f, sshKexInit))))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps := splitFuzz(b)
		fuzzFlow(6, 50000, 22, ps...)
		fuzzFlow(6, 22, 50000, ps...)
		hasshString(b, true)
		hasshString(b, false)
	})
}

func FuzzSMB(f *testing.F) {
	f.Add(mustHex(f, "00000178fe534d4240000100000000000500000100000000980000009c0f000000000000fffe0000110000001d000000002800000000000000000000000000000000000039"))
	f.Add(mustHex(f, "00000085ff534d4272000000001853c00000000000000000000000000000fffe00004000006200025043204e4554574f524b2050524f4752414d20312e3000"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzFlow(6, 50000, 445, splitFuzz(b)...)
	})
}

func FuzzNetBIOS(f *testing.F) {
	f.Add(mustHex(f, "a7490110000100000000000020464946444645464345464542454e46504549464a4341434143414341434141410000200001"))
	f.Add(mustHex(f, "110a2e43c0a80543008a00e600002046444542454f454b454a434e454d454a45474546454345504550454c434e41410020464845504643454c45484643455046464641434143414341434143414341424f00ff534d4225"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps := splitFuzz(b)
		fuzzFlow(17, 137, 137, ps...)
		fuzzFlow(17, 138, 138, ps...)
		fuzzFlow(6, 50000, 139, ps...)
		var buf [64]byte
		decodeNetBIOSName(b, buf[:])
	})
}

func FuzzDHCP(f *testing.F) {
	f.Add(mustHex(f, dhcpDiscover))
	f.Add([]byte{1, 0xa1, 0xb2, 0xc3, 0, 1, 0, 14})
	f.Fuzz(func(t *testing.T, b []byte) {
		ps := splitFuzz(b)
		fuzzFlow(17, 68, 67, ps...)
		runPayloads(flowSpec{proto: 17, src: "fe80::1", dst: "ff02::1:2", srcPort: 546, dstPort: 547}, make([]pkt, len(ps)), ps)
		dhcpFingerprint(b)
	})
}

func FuzzBitTorrent(f *testing.F) {
	f.Add(mustHex(f, "13426974546f7272656e742070726f746f636f6c0000000000100005dcfcdccfb9e670ccc3dd40c78c161f2bea2431262d554d313836302d418e181ac9ba17987152663e"))
	f.Add([]byte("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"))
	f.Add(mustHex(f, "41001234000000010000000000001000abcd0000"))
	f.Add([]byte("GET /announce?info_hash=%12%34%56%78%9a%bc%de%f0%12%34%56%78%9a%bc%de%f0%12%34%56%78&x HTTP/1.1\r\nUser-Agent: x\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps := splitFuzz(b)
		fuzzFlow(6, 50000, 51413, ps...)
		fuzzFlow(17, 50000, 6771, ps...)
		fuzzFlow(17, 40000, 41000, ps...)
		btTrackerRequest(b)
	})
}

func FuzzSIP(f *testing.F) {
	f.Add([]byte("INVITE sip:bob@example.com SIP/2.0\r\n"))
	f.Add([]byte("\x40\x00\x00\x12OPTIONS tel:+1234 SIP/2.0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps := splitFuzz(b)
		fuzzFlow(17, 5062, 5060, ps...)
		fuzzFlow(6, 40000, 5060, ps...)
	})
}

func FuzzRTP(f *testing.F) {
	f.Add(mustHex(f, "80000001000000a0deadbeef0102030405060708"))
	f.Add(mustHex(f, "80c80007deadbeef0102030405060708090a0b0c0d0e0f101112131415161718"))
	f.Add(mustHex(f, "05000100000000000f00000000000000000001000000000000000000000000"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps := splitFuzz(b)
		fuzzFlow(17, 16384, 16386, ps...)
		fuzzFlow(17, 50000, 8801, ps...)
		fuzzFlow(6, 50000, 554, ps...)
	})
}

// FuzzMisc covers the small dissectors, each on its default port.
func FuzzMisc(f *testing.F) {
	for _, h := range []string{
		"230206ec000026200000f6c911fd1a7ddb4a7e8f3d3ee739db4a8184a643c768db4a8184b424877edb4a81ec3f779f2c",
		"565330310000010000060000000000000100000000000000000000000000000000000000",
		"0000000000000dda00014b0700009000",
		"48c401000001000000000000013209536543555265646e5305615661735403436f4d0000100001",
		"6804010042b96804010042b9",
		"05640a44030004007caee6f78210004fbd",
		"030000130ee00000000000010008000b000000",
		"ffffffffffffffffffffffffffffffff00390104000100b40b0b0b0b1c02060104000100010202800002020200020246000206410400000001",
		"0100000015feff0001000000000001003091525de0381a81cffbbc5c495068756e8580383b27a1c2ff2011743e05500e5352fa6f19e56428296f7985b4b0bf6612",
		"dc4c00291565b7acbc236da9eda0d597fffffffffffffffffffffffffeffffff28f946112601a2f0",
		"570fb5605c3fc9880000000100000001000000010105000000000049000001f800000001",
		"000a0018594ac59d025965c4000401000002007001cd0016",
		"f9beb4d976657273696f6e000000000055000000017d0000",
		"5741010500001af80501a59189fc126950686f6e65",
	} {
		f.Add(mustHex(f, h))
	}
	f.Add([]byte("M-SEARCH * HTTP/1.1\r\nHost:239.255.255.250:1900\r\n\r\n"))
	f.Add([]byte("8=FIX.4.2\x019=65\x01"))
	f.Add([]byte(`{"id":1,"method":"mining.subscribe"}`))
	f.Add([]byte("USER anonymous\r\n\xff\x00331 password\r\n\xff\x00PASS x\r\n\xff\x00230 ok\r\n"))
	f.Add(mustHex(f, "0000000804d2162f\xff\x004e"[:16]))
	f.Add(mustHex(f, "00000010000000150000000000000001"))
	f.Add(mustHex(f, "302602010104067075626c6963a019020401020304020100020100300b300906052b060102010500"))
	f.Add([]byte("<34>Oct 11 22:14:15 mymachine su: 'su root' failed"))
	f.Add([]byte("220 mx.google.com ESMTP\r\n\xff\x00EHLO x\r\n\xff\x00STARTTLS\r\n\xff\x00220 go\r\n"))
	f.Add([]byte("* OK ready\r\n\xff\x00a1 STARTTLS\r\n\xff\x00a1 OK go\r\n"))
	f.Add([]byte("+OK ready\r\n\xff\x00STLS\r\n\xff\x00+OK go\r\n"))
	f.Add(mustHex(f, "002a38d67be45be5c201eb016435fcb1d6f60e1ac88b329546dc3c7abf0b9e000000015e3e7b980000000000"))
	ports := []struct {
		proto      uint8
		sport, dpt uint16
	}{
		{17, 123, 123}, {17, 40000, 27015}, {17, 40000, 6000}, {17, 40000, 443}, {17, 40000, 1900},
		{17, 17500, 17500}, {17, 57621, 57621}, {17, 40000, 2055}, {17, 40000, 5683}, {17, 5246, 40000},
		{17, 40000, 5351}, {17, 40000, 3702}, {17, 40000, 521}, {17, 40000, 3544}, {17, 40000, 7002},
		{17, 40000, 10001}, {17, 40000, 3389}, {17, 40000, 30303}, {6, 40000, 2404}, {6, 40000, 20000},
		{6, 40000, 3389}, {6, 40000, 179}, {6, 40000, 1433}, {6, 40000, 11095}, {6, 40000, 27017},
		{6, 40000, 8333}, {6, 40000, 443}, {6, 40000, 5222}, {6, 40000, 3478}, {1, 0, 0}, {2, 0, 0},
		{6, 40000, 21}, {6, 40000, 20}, {6, 40000, 6667}, {6, 40000, 2775}, {6, 40000, 23}, {6, 40000, 11211},
		{17, 40000, 11211}, {6, 40000, 8009}, {6, 40000, 1935}, {6, 40000, 102}, {6, 40000, 3306},
		{6, 40000, 5432}, {6, 40000, 6379}, {17, 40000, 161}, {17, 40000, 514}, {6, 40000, 5900},
		{17, 40000, 51820}, {6, 40000, 502}, {17, 40000, 1194}, {6, 40000, 1194}, {17, 500, 500},
		{17, 4500, 4500}, {6, 40000, 389}, {6, 40000, 5672}, {6, 40000, 4222}, {6, 40000, 9042},
		{17, 40000, 9987}, {6, 40000, 655}, {17, 40000, 17788}, {17, 40000, 1119}, {6, 40000, 1119},
		{6, 40000, 9418}, {6, 40000, 3868}, {6, 40000, 10050}, {17, 8116, 8116}, {17, 40000, 22023},
		{6, 40000, 6556}, {6, 40000, 8080}, {6, 40000, 50000}, {17, 40000, 1234}, {6, 40000, 1883},
		{17, 40000, 69}, {6, 40000, 135}, {17, 40000, 7985}, {6, 40000, 4244},
		{6, 40000, 25}, {6, 40000, 110}, {6, 40000, 143}, {6, 25, 40000}, {6, 143, 40000},
		{17, 40000, 88}, {6, 40000, 88}, {6, 40000, 554}, {17, 40000, 554},
		{17, 40000, 1812}, {17, 1985, 1985}, {17, 40000, 4789}, {6, 40000, 873}, {17, 21027, 21027},
		{6, 40000, 4949}, {6, 40000, 1080}, {6, 40000, 1521}, {17, 40000, 8612}, {6, 40000, 4342},
		{17, 4341, 4341}, {6, 40000, 5938}, {17, 40000, 5938}, {17, 4569, 4569}, {17, 10000, 10000},
		{6, 40000, 548}, {6, 40000, 2049}, {17, 40000, 2049}, {17, 40000, 177}, {6, 40000, 6000},
		{6, 40000, 119}, {6, 40000, 5223}, {6, 40000, 1720}, {17, 40000, 1719}, {17, 40000, 2944},
		{17, 40000, 2427}, {17, 2152, 2152}, {17, 40000, 2123}, {17, 40000, 3386}, {6, 40000, 2000},
		{17, 40000, 902}, {6, 40000, 44818}, {6, 40000, 1352}, {17, 2190, 2190}, {17, 40000, 6668},
		{17, 40000, 9999}, {6, 40000, 9999}, {6, 40000, 43}, {6, 40000, 1494}, {17, 40000, 27016},
		{17, 40000, 3074}, {17, 40000, 30491}, {6, 40000, 30491}, {17, 40000, 25826},
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ps := splitFuzz(b)
		for _, p := range ports {
			fuzzFlow(p.proto, p.sport, p.dpt, ps...)
		}
		textHeader(b, "Host:", 6)
	})
}
