package stages

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// sharedDir is the team's shared reference material, beside the repository.
// Tests run in the package directory, hence ../../shared.
const sharedDir = "../../shared"

// sharedPath returns a path under sharedDir, skipping the test when the
// shared material is not there.
func sharedPath(t testing.TB, rel string) string {
	t.Helper()
	if _, err := os.Stat(sharedDir); err != nil {
		t.Skipf("shared reference material not found at %s: %v", sharedDir, err)
	}
	return filepath.Join(sharedDir, rel)
}

// corpusTruth is what independent tools report for one capture.
type corpusTruth struct {
	file      string
	packets   int
	firstUs   int64 // first and last record's time in microseconds,
	lastUs    int64 // as printed by tcpdump -tt
	wireBytes int64 // capinfos' "Data size": the sum of wire lengths
	linkType  uint32
}

// corpusCaptures lists every capture of ../shared/corpus/nfstream/pcaps
// with values computed once, on Debian 12, by
//
//	tcpdump -r FILE -tt -n -q | grep -E '^[0-9]+\.[0-9]{6} '   # count, first and last time
//	tcpdump -r FILE -c 1 -n                                     # link-type name, mapped to LINKTYPE_*
//	capinfos -TmQ -c -d FILE                                    # count, data size
//
// (tcpdump 4.99.3 / libpcap 1.10.3, capinfos 3.6). The set covers classic
// pcap in both byte orders (alexa-app.pcapng is big-endian pcap despite its
// name), pcapng in files named .pcap and .pcapng, and link types Ethernet,
// NULL, PPP, Cisco HDLC, Linux SLL and raw IP.
//
// dhcp_little_endian.pcapng is the one exception: its timestamps are about
// 150,000 years ahead (capinfos prints year 151991) and tcpdump prints them
// wrapped as 1177611630.539464. The values below are the raw Enhanced Packet
// Block timestamps in microseconds (0x41b35e8812ebf2c8 for the first), which
// is what NFStream's own output for this file has: its golden CSV says
// bidirectional_first_seen_ms 4734231571822539. TimeNs overflows there, so
// only TimeMs is checked.
var corpusCaptures = []corpusTruth{
	{"1kxun.pcap", 1439, 1470104373025824, 1470104433789634, 629825, 1},
	{"443-chrome.pcap", 1, 1581109434258190, 1581109434258190, 1506, 1},
	{"443-curl.pcap", 109, 1581113120474299, 1581113121570392, 73982, 1},
	{"443-git.pcap", 70, 1581113657633853, 1581113658456571, 37189, 1},
	{"443-opvn.pcap", 46, 1581153175528454, 1581153184491293, 11573, 1},
	{"443-safari.pcap", 41, 1581109359601646, 1581109360696066, 19929, 1},
	{"4in4tunnel.pcap", 5, 1537044271794779, 1537165843864842, 850, 1},
	{"6in6tunnel.pcap", 2, 1335197872162188, 1335197872164220, 212, 1},
	{"BGP_Cisco_hdlc_slarp.pcap", 14, 1445156939131847, 1445156989230918, 969, 9},
	{"BGP_redist.pcap", 2, 1256636836167156, 1256636836167195, 322, 104},
	{"EAQ.pcap", 197, 1432820948562939, 1432821045664868, 21835, 1},
	{"IEC104.pcap", 15, 1317629088495135, 1317629090498077, 1431, 1},
	{"KakaoTalk_chat.pcap", 347, 1430069021959113, 1430069073299933, 71936, 113},
	{"NTPv2.pcap", 1, 1436865383632810, 1436865383632810, 410, 1},
	{"NTPv3.pcap", 1, 1436865405371462, 1436865405371462, 90, 1},
	{"NTPv4.pcap", 1, 1436865396190857, 1436865396190857, 90, 1},
	{"Oscar.pcap", 71, 1434606464176482, 1434606536630487, 9386, 1},
	{"WebattackSQLinj.pcap", 94, 1499348407419016, 1499348519077716, 30008, 1},
	{"aimini-http.pcap", 139, 1614860228394057, 1614860229390930, 87082, 1},
	{"ajp.pcap", 38, 1505154584447407, 1505154584618218, 7172, 1},
	{"alexa-app.pcapng", 3435, 1490976022526783, 1490976198776068, 1433625, 1},
	{"among_us.pcap", 1, 946681200000000, 946681200000000, 57, 1},
	{"amqp.pcap", 160, 1490904166118902, 1490904170243630, 23514, 1},
	{"android.pcap", 500, 1582454769772338, 1582454872047699, 133530, 1},
	{"anyconnect-vpn.pcap", 3001, 1569687240992580, 1569687289262328, 1017183, 1},
	{"anydesk.pcap", 6963, 1591342198821353, 1591342255171414, 2795460, 1},
	{"avast_securedns.pcapng", 77, 1625215624443704, 1625558735164269, 11443, 1},
	{"bad-dns-traffic.pcap", 382, 1486012623234684, 1486012733669835, 99374, 1},
	{"badpackets.pcap", 93, 1495451029466717, 1495451915752227, 49526, 1},
	{"bitcoin.pcap", 637, 1301327937725033, 1301329810839993, 581074, 1},
	{"bittorrent.pcap", 299, 1455469967246718, 1455469982106134, 305728, 1},
	{"bittorrent_ip.pcap", 479, 1492508985380744, 1492508994096137, 508018, 1},
	{"bt_search.pcap", 2, 1430752225251619, 1430752525284866, 322, 1},
	{"capwap.pcap", 422, 1422328949167396, 1422329175528388, 102914, 1},
	{"cassandra.pcap", 286, 1450889498032587, 1450889698077770, 126016, 1},
	{"check_mk_new.pcap", 98, 1512031663734797, 1512031663775645, 20242, 1},
	{"coap_mqtt.pcap", 8516, 1333957710293035, 1455907286855601, 750683, 1},
	{"cpha.pcap", 1, 1603354463286532, 1603354463286532, 96, 1},
	{"dcerpc.pcap", 16, 1602860709979607, 1602860710071385, 6866, 1},
	{"dhcp.pcap", 4, 1102274184317453, 1102274184387798, 1312, 1},
	{"dhcp.pcapng", 4, 1102274184317453, 1102274184387798, 1312, 1},
	{"dhcp_little_endian.pcapng", 4, 4734231571822539464, 4734231571892884464, 1312, 1}, // see the comment above the table
	{"diameter.pcap", 6, 1263278878271686, 1263278878357703, 1980, 1},
	{"dnp3.pcap", 543, 1097501938503079, 1097513185107737, 38754, 1},
	{"dns-tunnel-iodine.pcap", 438, 1282356640051082, 1282356664538369, 70492, 1},
	{"dns_ambiguous_names.pcap", 20, 1625744123717337, 1625744124461060, 2787, 1},
	{"dns_dot.pcap", 24, 1572783663234722, 1572783666246370, 5869, 1},
	{"dns_exfiltration.pcap", 300, 1580978146717893, 1580978206707432, 73545, 1},
	{"dns_long_domainname.pcap", 2, 1599686652555538, 1599686652578187, 262, 1},
	{"dnscrypt-v1-and-resolver-pings.pcap", 608, 946735705348929, 946739861499384, 320842, 1},
	{"dnscrypt-v2-doh.pcap", 577, 946739298533748, 946739888204388, 216583, 1},
	{"dnscrypt_skype_false_positive.pcapng", 6, 1625015363846677, 1625020500975955, 2380, 1},
	{"doq.pcapng", 20, 1606056093199591, 1606056096363710, 5958, 1},
	{"dos_win98_smb_netbeui.pcap", 220, 1576409796586005, 1576409931837438, 22712, 1},
	{"drda_db2.pcap", 38, 1175543772220609, 1175543810683631, 6691, 1},
	{"dropbox.pcap", 848, 1455907271481938, 1535391682514087, 90532, 1},
	{"dtls.pcap", 2, 1545143424891780, 1545143424891780, 394, 1},
	{"dtls2.pcap", 30, 1507911659748597, 1507912041896833, 4991, 1},
	{"dtls_certificate_fragments.pcap", 20, 1556606275726225, 1556606278645792, 5978, 1},
	{"dtls_session_id_and_coockie_both.pcap", 4, 1592388499775130, 1592388499833900, 604, 1},
	{"encrypted_sni.pcap", 3, 1590680386576239, 1590680391590254, 2310, 1},
	{"exe_download.pcap", 703, 1569434051004796, 1569434056186340, 717463, 1},
	{"exe_download_as_png.pcap", 534, 1569434903040298, 1569434972556095, 529449, 1},
	{"facebook.pcap", 60, 1472393122365661, 1472393124229315, 30511, 1},
	{"fix.pcap", 1261, 1493755109242949, 1493755132120045, 115514, 1},
	{"forticlient.pcap", 2000, 1621067203571879, 1621067222261499, 430931, 1},
	{"ftp.pcap", 1192, 1552590234892296, 1552590243371057, 1129588, 1},
	{"ftp_failed.pcap", 18, 1574361625864342, 1574361633102738, 1700, 1},
	{"genshin-impact.pcap", 45, 1615497372822667, 1618759618761347, 10832, 1},
	{"git.pcap", 90, 1460821630164056, 1460821631269756, 74005, 1},
	{"google_ssl.pcap", 28, 1434443394683939, 1434443401353810, 9108, 1},
	{"googledns_android10.pcap", 532, 1592552824409182, 1592553079303170, 132894, 1},
	{"gquic.pcap", 1, 1591876186378535, 1591876186378535, 1392, 1},
	{"gtp-u.pcap", 102, 1260442415441511, 1260442465232194, 14076, 1},
	{"h323-overflow.pcap", 1, 946681200000000, 946681200000000, 58, 1},
	{"hangout.pcap", 19, 1468516947751092, 1468516965768983, 2774, 1},
	{"http-lines-split.pcap", 14, 1593713340401681, 1593713340404597, 2503, 1},
	{"http-manipulated.pcap", 328, 946727901369326, 946729148160196, 959347, 1},
	{"http_auth.pcap", 33, 1381844050222515, 1381844057320871, 20574, 1},
	{"http_ipv6.pcap", 193, 1448269123954061, 1448269146970056, 66327, 1},
	{"iec60780-5-104.pcap", 147, 1219992231267238, 1219993055118751, 9033, 1},
	{"imaps.pcap", 20, 1590857744659641, 1590857744987000, 5196, 1},
	{"instagram.pcap", 3443, 1436720898354402, 1568796268061460, 2926681, 1},
	{"ip_fragmented_garbage.pcap", 9077, 1534244024697756, 1534244033215628, 453734, 1},
	{"iphone.pcap", 500, 1582454552576659, 1582454600748726, 221902, 1},
	{"irc.pcap", 29, 1387554241634815, 1387554256201831, 8945, 1},
	{"long_tls_certificate.pcap", 47, 1609756181300869, 1609756183162351, 14812, 1},
	{"malformed_dns.pcap", 6, 1591551760342902, 1591551765368813, 5860, 1},
	{"malformed_icmp.pcap", 1, 1593066612951269, 1593066612951269, 42, 1},
	{"malware.pcap", 26, 1569571466977364, 1569579417280185, 8001, 1},
	{"mdns.pcap", 292, 1318311341309390, 1318311472885769, 97908, 113},
	{"memcached.cap", 10, 1534343745954071, 1534343745954749, 1711, 1},
	{"modbus.pcap", 102, 1223541953927963, 1223541977037227, 6681, 1},
	{"monero.pcap", 319, 1514196188350524, 1514197279769698, 166676, 1},
	{"mongodb.pcap", 27, 1483459978959064, 1483814916108514, 2740, 1},
	{"mpeg.pcap", 19, 1434379491040018, 1434379491221137, 10643, 1},
	{"mpegts.pcap", 1, 1435209297954335, 1435209297954335, 1362, 1},
	{"mssql_tds.pcap", 38, 1240877917888015, 1278068444666075, 16260, 1},
	{"mysql-8.pcap", 4, 946708780103266, 946708780104285, 367, 1},
	{"nats.pcap", 27, 1586288040558498, 1586288042776134, 2460, 0},
	{"nest_log_sink.pcap", 1000, 1536712992228658, 1536719715232392, 129986, 1},
	{"netbios.pcap", 260, 1447772210350540, 1447772269972130, 24682, 1},
	{"netbios_wildcard_dns_query.pcap", 1, 1597866040493657, 1597866040493657, 92, 1},
	{"netflow-fritz.pcap", 1, 1498072707863157, 1498072707863157, 222, 1},
	{"netflowv9.pcap", 10, 1568213026961189, 1568213026962107, 13888, 1},
	{"nintendo.pcap", 1000, 1500731320644357, 1500731348756457, 333321, 1},
	{"no_sni.pcap", 1185, 1604822444474923, 1604822448604804, 594136, 1},
	{"one_flow.pcap", 19, 1472393122365661, 1472393123665163, 5745, 1},
	{"one_flow_11_15.pcap", 5, 1472393122982487, 1472393123391325, 1178, 1},
	{"one_flow_16_19.pcap", 4, 1472393123391337, 1472393123665163, 522, 1},
	{"one_flow_1_5.pcap", 5, 1472393122365661, 1472393122981932, 542, 1},
	{"one_flow_6_10.pcap", 5, 1472393122981938, 1472393122982477, 3503, 1},
	{"openvpn.pcap", 298, 1467904946700231, 1472334909465454, 57111, 1},
	{"os_detected.pcapng", 1, 1611427514609727, 1611427514609727, 1294, 1},
	{"pps.pcap", 2557, 1467353136432546, 1467353203157237, 2246611, 1},
	{"quic-23.pcap", 20, 1568282515655367, 1568282515762416, 7191, 1},
	{"quic-24.pcap", 15, 1574209133040250, 1574209163081103, 8000, 1},
	{"quic-27.pcap", 20, 1592388075915836, 1592388084373772, 12887, 1},
	{"quic-28.pcap", 253, 1591267474847575, 1591267477602863, 246793, 1},
	{"quic-33.pcapng", 992, 1607938456563491, 1607938456578127, 1340722, 1},
	{"quic-mvfst-22.pcap", 490, 24710880, 139922848, 288303, 1},
	{"quic-mvfst-27.pcapng", 20, 41432902, 50392661, 11399, 1},
	{"quic.pcap", 518, 1431155536815947, 1463075954300949, 348566, 1},
	{"quic046.pcap", 100, 1584456191933380, 1584456191986142, 91297, 1},
	{"quic_0RTT.pcap", 2, 1603888789791229, 1603888789792113, 2588, 1},
	{"quic_frags_ch_in_multiple_packets.pcapng", 4, 1616775370814360, 1616775370828465, 3998, 1},
	{"quic_frags_ch_out_of_order_same_packet_craziness.pcapng", 179, 1621417111064920, 1621521142479654, 249168, 1},
	{"quic_q39.pcap", 60, 1509098995610775, 1509099044559423, 24185, 1},
	{"quic_q43.pcap", 2, 1592388060203207, 1592388060251652, 1464, 1},
	{"quic_q46.pcap", 20, 1559632338055044, 1559632338367037, 21241, 1},
	{"quic_q50.pcap", 20, 1592388088469619, 1592388088935970, 20434, 1},
	{"quic_t50.pcap", 12, 1598618820564956, 1598618820984161, 8420, 1},
	{"quickplay.pcap", 155, 1429000030398627, 1429000385363074, 104547, 113},
	{"raw.pcap", 1, 1433421189142785, 1433421189142785, 165, 101},
	{"rdp.pcap", 2010, 1559207465138576, 1559207472692980, 622743, 0},
	{"reasm_crash_anon.pcapng", 209, 1410865705717955, 1410867180785359, 20760, 113},
	{"rtsp_setup_http.pcapng", 1, 1625568705778896, 1625568705778896, 233, 1},
	{"rx.pcap", 132, 1460647264018403, 1460647320158051, 26475, 1},
	{"s7comm.pcap", 55, 1408528803880679, 1408528804016478, 5260, 1},
	{"simple-dnscrypt.pcap", 111, 1491813284555591, 1491813286913648, 44676, 1},
	{"skype-conference-call.pcap", 200, 1501061916646303, 1501061918151791, 39687, 1},
	{"skype.pcap", 3284, 1431969639825574, 1431969808951480, 647078, 1},
	{"skype_no_unknown.pcap", 2146, 1431970631778638, 1431970708726988, 491740, 1},
	{"skype_udp.pcap", 5, 1156534494734879, 1156534567244697, 339, 1},
	{"smb_deletefile.pcap", 101, 1584368315417275, 1584368317802053, 30748, 1},
	{"smbv1.pcap", 7, 1492191036092974, 1492191036191677, 1197, 1},
	{"smpp_in_general.pcap", 17, 1217149853878966, 1217149884833956, 1144, 1},
	{"smtp-starttls.pcap", 36, 1388017124762850, 1388017125239930, 8403, 1},
	{"snapchat.pcap", 56, 1431417993318652, 1431418008853156, 10199, 1},
	{"ssdp-m-search.pcap", 19, 1532054645808785, 1532054735808753, 1197, 1},
	{"ssl-cert-name-mismatch.pcap", 21, 1620643422034834, 1620643422754639, 5412, 1},
	{"starcraft_battle.pcap", 800, 1437389953643103, 1437389985996137, 360332, 1},
	{"steam.pcap", 104, 1357332164693497, 1357332165983077, 9020, 1},
	{"steam_datagram_relay_ping.pcapng", 2, 1625599888890043, 1625599891412113, 2684, 1},
	{"stun_facebook.pcapng", 75, 1629291451242856, 1629291461336154, 10554, 1},
	{"teamspeak3.pcap", 13, 946745680740311, 946745717746131, 1911, 1},
	{"telegram.pcap", 1566, 1588779596451825, 1588779655298782, 336825, 1},
	{"teredo.pcap", 24, 1438853615305874, 1438853653403120, 2574, 1},
	{"tftp.pcap", 104, 1367411051972852, 1626968644632198, 31123, 1},
	{"tinc.pcap", 317, 1495983427717971, 1495983475109122, 352291, 1},
	{"tk.pcap", 6, 1613939315029133, 1613939315239614, 566, 1},
	{"tls-esni-fuzzed.pcap", 3, 1590680386576239, 1590680391590254, 2310, 1},
	{"tls-rdn-extract.pcap", 6, 946681200000000, 946681200000000, 7205, 1},
	{"tls_alert.pcap", 11, 1628259176203392, 1628259176206182, 952, 1},
	{"tls_esni_sni_both.pcap", 38, 1595697574192522, 1595697597855622, 15899, 1},
	{"tls_long_cert.pcap", 182, 1553619078033240, 1553619149372363, 117601, 1},
	{"tls_verylong_certificate.pcap", 48, 1578254908457751, 1578254908551114, 22229, 1},
	{"trickbot.pcap", 74, 1609266107551500, 1609266115947521, 62002, 1},
	{"ubntac2.pcap", 8, 1486943433175002, 1486943504301123, 1736, 1},
	{"upnp.pcap", 14, 1541515314826314, 1541515321472909, 9912, 1},
	{"viber.pcap", 424, 1527155638428936, 1527155685757669, 147399, 1},
	{"vnc.pcap", 4551, 1476111264364066, 1476111290613528, 329158, 1},
	{"wa_video.pcap", 1567, 1561455764448302, 1561455795283003, 960985, 1},
	{"waze.pcap", 597, 1435587866603221, 1435587907392933, 358993, 1},
	{"websocket.pcap", 5, 1475155931028697, 1475156008657690, 441, 1},
	{"wechat.pcap", 1672, 1492167337792745, 1492171291761740, 667310, 1},
	{"weibo.pcap", 498, 1463089067804779, 1463089073893914, 267555, 1},
	{"whatsapp_login_call.pcap", 1253, 1432582222253233, 1432582361929399, 193190, 1},
	{"whatsapp_login_chat.pcap", 93, 1432582377898864, 1432582431565397, 30137, 1},
	{"whatsapp_voice_and_message.pcap", 261, 1432820558921094, 1432820695137128, 28055, 1},
	{"whatsappfiles.pcap", 620, 1519924083411187, 1519924247388841, 452233, 1},
	{"wireguard.pcap", 2399, 1563973554628757, 1563973935842428, 734182, 1},
	{"youtube_quic.pcap", 289, 1489363823466752, 1489363826862170, 191639, 1},
	{"zabbix.pcap", 10, 1572254070608539, 1572254070614852, 715, 1},
	{"zcash.pcap", 145, 1514196094240063, 1514197248783309, 20644, 1},
}

// syntheticCaptures lists the hand-made captures of
// ../shared/spec/golden/synthetic, with values obtained as above.
var syntheticCaptures = []corpusTruth{
	{"frag.pcap", 3, 1000000, 1002000, 163, 1},
	{"hol.pcap", 12, 1000000000, 1401000000, 624, 1},
	{"null.pcap", 2, 1000000, 1100000, 106, 0},
	{"ooo.pcap", 7, 10000000, 11300000, 354, 1},
	{"shorttcp.pcap", 1, 20000000, 20000000, 46, 1},
	{"timeouts.pcap", 4, 100000000, 115000000, 168, 1},
	{"tiny.pcap", 2, 30000000, 30100000, 66, 1},
	{"trunc.pcap", 3, 1000000, 1200000, 802, 1},
	{"vlan.pcap", 4, 2000000, 2300000, 224, 1},
}

func TestCorpusMatchesTcpdump(t *testing.T) {
	check := func(t *testing.T, dir string, captures []corpusTruth) {
		for _, want := range captures {
			t.Run(want.file, func(t *testing.T) {
				path := filepath.Join(dir, want.file)
				src, err := Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer src.Close()
				var (
					packets          int
					firstMs, lastMs  uint64
					firstNs, lastNs  int64
					wireBytes        int64
					otherLinkTypes   int
					inconsistentTime int
				)
				for {
					frame, err := src.Next()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Fatalf("after %d frames: %v", packets, err)
					}
					if packets == 0 {
						firstMs, firstNs = frame.TimeMs, frame.TimeNs
					}
					lastMs, lastNs = frame.TimeMs, frame.TimeNs
					packets++
					wireBytes += int64(frame.WireLen)
					if frame.LinkType != want.linkType {
						otherLinkTypes++
					}
					if frame.TimeNs >= 0 && uint64(frame.TimeNs/1e6) != frame.TimeMs && want.firstUs < math.MaxInt64/1000 {
						inconsistentTime++
					}
				}
				if packets != want.packets || wireBytes != want.wireBytes {
					t.Errorf("%d packets, %d wire bytes; want %d, %d", packets, wireBytes, want.packets, want.wireBytes)
				}
				if firstMs != uint64(want.firstUs/1000) || lastMs != uint64(want.lastUs/1000) {
					t.Errorf("TimeMs from %d to %d, want %d to %d", firstMs, lastMs, want.firstUs/1000, want.lastUs/1000)
				}
				if want.firstUs < math.MaxInt64/1000 && (firstNs/1000 != want.firstUs || lastNs/1000 != want.lastUs) {
					t.Errorf("TimeNs from %d to %d, want %d to %d µs", firstNs, lastNs, want.firstUs, want.lastUs)
				}
				if otherLinkTypes > 0 {
					t.Errorf("%d frames with a link type other than %d", otherLinkTypes, want.linkType)
				}
				if inconsistentTime > 0 {
					t.Errorf("%d frames where TimeMs is not TimeNs in milliseconds", inconsistentTime)
				}
				if n := src.(ByteCounter).BytesRead(); n != fileSize(t, path) {
					t.Errorf("BytesRead = %d, want the file size %d", n, fileSize(t, path))
				}
			})
		}
	}
	t.Run("corpus", func(t *testing.T) {
		check(t, sharedPath(t, "corpus/nfstream/pcaps"), corpusCaptures)
	})
	t.Run("synthetic", func(t *testing.T) {
		check(t, sharedPath(t, "spec/golden/synthetic"), syntheticCaptures)
	})
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}
