package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/stages"
)

// The probe capture is a small synthetic pcap built in code (so it is
// reviewable and needs no file): a handful of flows chosen to touch most
// columns of the built-in sets. A feature set's logic hash is the SHA-256 of
// its schema and of every value it computes on the probe, under two streamer
// settings. Any change of a set's output on these flows changes its hash;
// goldens/features.lock pins (name, version, hash) so that a change without
// a version bump fails the tests.
//
// Flows, in capture order (client 10.0.0.1 unless said otherwise):
//
//	TCP 40000→93.184.216.34:80   handshake, HTTP GET www.google.com, 200 OK, FIN/ACK teardown
//	UDP 53000→8.8.8.8:53         DNS query and answer for www.instagram.com
//	ICMP echo →1.1.1.1            two requests, two replies
//	TCP 40001→198.51.100.7:443   handshake, TLS ClientHello (SNI www.youtube.com, ALPN), ServerHello reply
//	UDP [2001:db8::1]:5353→[ff02::fb]:5353  one mDNS-like packet (IPv6)
//	UDP 68→255.255.255.255:67    DHCP discover from 0.0.0.0
//	UDP 123→192.0.2.123:123      NTP request and reply in VLAN 42
//	GTP-U 2152→198.51.100.20     a DNS query from 172.16.0.5 inside a GTP-U tunnel
//	TCP 40002→203.0.113.9:22     one packet, then another 300 s later (idle expiry: two flows)
func ProbeCapture() []byte {
	var p probeWriter
	p.header()
	cli := [4]byte{10, 0, 0, 1}
	t := int64(1_700_000_000_000_000) // µs

	// HTTP over TCP.
	web := [4]byte{93, 184, 216, 34}
	get := []byte("GET /index.html HTTP/1.1\r\nHost: www.google.com\r\nUser-Agent: nfdataset-probe/1\r\nAccept: */*\r\n\r\n")
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 12\r\n\r\n<html></html>")
	p.tcp4(&t, 1000, cli, web, 40000, 80, 100, 0, flagSYN, nil)
	p.tcp4(&t, 20000, web, cli, 80, 40000, 500, 101, flagSYN|flagACK, nil)
	p.tcp4(&t, 300, cli, web, 40000, 80, 101, 501, flagACK, nil)
	p.tcp4(&t, 150, cli, web, 40000, 80, 101, 501, flagACK|flagPSH, get)
	p.tcp4(&t, 25000, web, cli, 80, 40000, 501, 101+uint32(len(get)), flagACK|flagPSH, resp)
	p.tcp4(&t, 400, cli, web, 40000, 80, 101+uint32(len(get)), 501+uint32(len(resp)), flagACK|flagFIN, nil)
	p.tcp4(&t, 19000, web, cli, 80, 40000, 501+uint32(len(resp)), 102+uint32(len(get)), flagACK|flagFIN, nil)
	p.tcp4(&t, 200, cli, web, 40000, 80, 102+uint32(len(get)), 502+uint32(len(resp)), flagACK, nil)

	// DNS over UDP.
	dns := [4]byte{8, 8, 8, 8}
	q := dnsMessage(0x1234, false)
	a := dnsMessage(0x1234, true)
	p.udp4(&t, 5000, cli, dns, 53000, 53, q)
	p.udp4(&t, 12000, dns, cli, 53, 53000, a)

	// ICMP echo.
	one := [4]byte{1, 1, 1, 1}
	for i := range 2 {
		p.icmp4(&t, 1000, cli, one, 8, uint16(i))
		p.icmp4(&t, 9000+int64(i)*500, one, cli, 0, uint16(i))
	}

	// TLS over TCP.
	tlsSrv := [4]byte{198, 51, 100, 7}
	hello := clientHello("www.youtube.com")
	p.tcp4(&t, 3000, cli, tlsSrv, 40001, 443, 7000, 0, flagSYN, nil)
	p.tcp4(&t, 30000, tlsSrv, cli, 443, 40001, 9000, 7001, flagSYN|flagACK, nil)
	p.tcp4(&t, 200, cli, tlsSrv, 40001, 443, 7001, 9001, flagACK, nil)
	p.tcp4(&t, 100, cli, tlsSrv, 40001, 443, 7001, 9001, flagACK|flagPSH, hello)
	p.tcp4(&t, 31000, tlsSrv, cli, 443, 40001, 9001, 7001+uint32(len(hello)), flagACK|flagPSH, serverHello())

	// mDNS-like over IPv6.
	p.udp6(&t, 700, [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}, [16]byte{0xff, 0x02, 15: 0xfb}, 5353, 5353, dnsMessageFor(0, true, "probe._http._tcp.local"))

	// DHCP discover.
	p.udp4(&t, 800, [4]byte{}, [4]byte{255, 255, 255, 255}, 68, 67, dhcpDiscover())

	// An 802.1Q-tagged NTP exchange (VLAN 42).
	ntp := make([]byte, 48)
	ntp[0] = 0x23 // v4, client
	tag := []byte{0x00, 42, 0x08, 0x00}
	p.frame(&t, 500, true, 0x8100, append(append([]byte{}, tag...), ipv4(cli, [4]byte{192, 0, 2, 123}, 17, udpDatagram(123, 123, ntp))...))
	ntp[0] = 0x24 // v4, server
	p.frame(&t, 4000, false, 0x8100, append(append([]byte{}, tag...), ipv4([4]byte{192, 0, 2, 123}, cli, 17, udpDatagram(123, 123, ntp))...))

	// A GTP-U tunnel (UDP 2152, TEID 7) carrying a DNS query.
	inner := ipv4([4]byte{172, 16, 0, 5}, dns, 17, udpDatagram(50000, 53, dnsMessageFor(0x77, false, "gtp.example.net")))
	gtp := []byte{0x30, 0xff, byte(len(inner) >> 8), byte(len(inner)), 0, 0, 0, 7}
	p.udp4(&t, 600, cli, [4]byte{198, 51, 100, 20}, 2152, 2152, append(gtp, inner...))

	// Idle expiry: one SSH flow split in two by a 300 s gap.
	ssh := [4]byte{203, 0, 113, 9}
	p.tcp4(&t, 1000, cli, ssh, 40002, 22, 1, 0, flagSYN, nil)
	p.tcp4(&t, 300_000_000, cli, ssh, 40002, 22, 1, 0, flagSYN, nil)
	return p.buf.Bytes()
}

const (
	flagFIN = 0x01
	flagSYN = 0x02
	flagPSH = 0x08
	flagACK = 0x10
)

type probeWriter struct{ buf bytes.Buffer }

var (
	probeClientMAC = [6]byte{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}
	probeRouterMAC = [6]byte{0x02, 0x00, 0x00, 0x00, 0x00, 0xfe}
)

func (p *probeWriter) header() {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 65535)
	binary.LittleEndian.PutUint32(h[20:], 1) // Ethernet
	p.buf.Write(h[:])
}

// frame writes an Ethernet frame at time *t (µs) after advancing it by dt.
func (p *probeWriter) frame(t *int64, dt int64, fromClient bool, etherType uint16, payload []byte) {
	*t += dt
	src, dst := probeClientMAC, probeRouterMAC
	if !fromClient {
		src, dst = dst, src
	}
	eth := append(append(append([]byte{}, dst[:]...), src[:]...), byte(etherType>>8), byte(etherType))
	eth = append(eth, payload...)
	var h [16]byte
	binary.LittleEndian.PutUint32(h[0:], uint32(*t/1_000_000))
	binary.LittleEndian.PutUint32(h[4:], uint32(*t%1_000_000))
	binary.LittleEndian.PutUint32(h[8:], uint32(len(eth)))
	binary.LittleEndian.PutUint32(h[12:], uint32(len(eth)))
	p.buf.Write(h[:])
	p.buf.Write(eth)
}

func ipv4(src, dst [4]byte, proto byte, payload []byte) []byte {
	h := make([]byte, 20, 20+len(payload))
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
	binary.BigEndian.PutUint16(h[4:], 0x1000)
	h[8] = 64
	h[9] = proto
	copy(h[12:], src[:])
	copy(h[16:], dst[:])
	binary.BigEndian.PutUint16(h[10:], checksum(h))
	return append(h, payload...)
}

func checksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

func tcpSegment(sport, dport uint16, seq, ack uint32, flags byte, payload []byte) []byte {
	h := make([]byte, 20, 20+len(payload))
	binary.BigEndian.PutUint16(h[0:], sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint32(h[4:], seq)
	binary.BigEndian.PutUint32(h[8:], ack)
	h[12] = 5 << 4
	h[13] = flags
	binary.BigEndian.PutUint16(h[14:], 64240)
	return append(h, payload...)
}

func udpDatagram(sport, dport uint16, payload []byte) []byte {
	h := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(h[0:], sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint16(h[4:], uint16(8+len(payload)))
	return append(h, payload...)
}

func isClient(a [4]byte) bool { return a == [4]byte{10, 0, 0, 1} || a == [4]byte{} }

func (p *probeWriter) tcp4(t *int64, dt int64, src, dst [4]byte, sport, dport uint16, seq, ack uint32, flags byte, payload []byte) {
	p.frame(t, dt, isClient(src), 0x0800, ipv4(src, dst, 6, tcpSegment(sport, dport, seq, ack, flags, payload)))
}

func (p *probeWriter) udp4(t *int64, dt int64, src, dst [4]byte, sport, dport uint16, payload []byte) {
	p.frame(t, dt, isClient(src), 0x0800, ipv4(src, dst, 17, udpDatagram(sport, dport, payload)))
}

func (p *probeWriter) icmp4(t *int64, dt int64, src, dst [4]byte, typ byte, seq uint16) {
	m := []byte{typ, 0, 0, 0, 0x00, 0x2a, byte(seq >> 8), byte(seq)}
	m = append(m, []byte("nfdataset probe payload.")...)
	binary.BigEndian.PutUint16(m[2:], checksum(m))
	p.frame(t, dt, isClient(src), 0x0800, ipv4(src, dst, 1, m))
}

func (p *probeWriter) udp6(t *int64, dt int64, src, dst [16]byte, sport, dport uint16, payload []byte) {
	u := udpDatagram(sport, dport, payload)
	h := make([]byte, 40, 40+len(u))
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(u)))
	h[6] = 17
	h[7] = 255
	copy(h[8:], src[:])
	copy(h[24:], dst[:])
	p.frame(t, dt, true, 0x86dd, append(h, u...))
}

// dnsMessage is a query (or an answer with one A record) for
// www.instagram.com.
func dnsMessage(id uint16, answer bool) []byte {
	return dnsMessageFor(id, answer, "www.instagram.com")
}

// dnsMessageFor is dnsMessage for another name.
func dnsMessageFor(id uint16, answer bool, name string) []byte {
	b := []byte{byte(id >> 8), byte(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	if answer {
		b[2], b[3], b[7] = 0x81, 0x80, 1
	}
	for _, label := range strings.Split(name, ".") {
		b = append(b, byte(len(label)))
		b = append(b, label...)
	}
	b = append(b, 0, 0, 1, 0, 1)
	if answer {
		b = append(b, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34)
	}
	return b
}

func dhcpDiscover() []byte {
	b := make([]byte, 236)
	b[0], b[1], b[2] = 1, 1, 6
	binary.BigEndian.PutUint32(b[4:], 0x3903f326)
	copy(b[28:], probeClientMAC[:])
	b = append(b, 0x63, 0x82, 0x53, 0x63)                        // magic cookie
	b = append(b, 53, 1, 1)                                      // DHCP discover
	b = append(b, 12, 5, 'p', 'r', 'o', 'b', 'e')                // host name
	b = append(b, 55, 3, 1, 3, 6)                                // parameter request list
	b = append(b, 60, 8, 'n', 'f', 'd', 's', '/', '1', '.', '0') // vendor class
	return append(b, 255)
}

// clientHello is a TLS 1.3-style ClientHello with SNI, ALPN and
// supported_versions.
func clientHello(sni string) []byte {
	var ext []byte
	u16 := func(b []byte, v int) []byte { return append(b, byte(v>>8), byte(v)) }
	// server_name
	name := u16([]byte{0}, len(sni))
	name = append(name, sni...)
	list := u16(nil, len(name))
	list = append(list, name...)
	ext = u16(ext, 0x0000)
	ext = u16(ext, len(list))
	ext = append(ext, list...)
	// supported_groups
	ext = append(ext, 0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x1d)
	// ec_point_formats
	ext = append(ext, 0x00, 0x0b, 0x00, 0x02, 0x01, 0x00)
	// signature_algorithms
	ext = append(ext, 0x00, 0x0d, 0x00, 0x04, 0x00, 0x02, 0x04, 0x03)
	// ALPN: h2, http/1.1
	alpn := []byte{2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'}
	ext = append(ext, 0x00, 0x10)
	ext = u16(ext, len(alpn)+2)
	ext = u16(ext, len(alpn))
	ext = append(ext, alpn...)
	// supported_versions: TLS 1.3, 1.2
	ext = append(ext, 0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03)

	body := []byte{0x03, 0x03}
	for i := range 32 {
		body = append(body, byte(i*7))
	}
	body = append(body, 0)                                              // session id
	body = append(body, 0x00, 0x06, 0x13, 0x01, 0x13, 0x02, 0xc0, 0x2f) // cipher suites
	body = append(body, 0x01, 0x00)                                     // compression
	body = u16(body, len(ext))
	body = append(body, ext...)
	hs := []byte{0x01, 0, byte(len(body) >> 8), byte(len(body))}
	hs = append(hs, body...)
	rec := []byte{0x16, 0x03, 0x01}
	rec = u16(rec, len(hs))
	return append(rec, hs...)
}

// serverHello is a TLS 1.2 ServerHello choosing 0xc02f.
func serverHello() []byte {
	body := []byte{0x03, 0x03}
	for i := range 32 {
		body = append(body, byte(255-i))
	}
	body = append(body, 0, 0xc0, 0x2f, 0x00)
	ext := []byte{0xff, 0x01, 0x00, 0x01, 0x00} // renegotiation_info
	body = append(body, byte(len(ext)>>8), byte(len(ext)))
	body = append(body, ext...)
	hs := []byte{0x02, 0, byte(len(body) >> 8), byte(len(body))}
	hs = append(hs, body...)
	rec := []byte{0x16, 0x03, 0x03, byte(len(hs) >> 8), byte(len(hs))}
	return append(rec, hs...)
}

// probeEnvs are the streamer settings each set is probed under.
var probeEnvs = []stages.Streamer{
	stages.DefaultStreamer(),
	{DecodeTunnels: false, IdleTimeoutSec: 60, ActiveTimeoutSec: 1, AccountingMode: 2},
}

// LogicHash returns the logic hash of a registered feature set
// ("sha256:…"): its schema and its values on the probe capture, built with
// opts over the set's defaults. Builds hash the options they use; the
// listing and goldens/features.lock use ProbeOptions.
func LogicHash(name string, opts features.Options) (string, error) {
	key := name
	if len(opts) > 0 {
		b, _ := json.Marshal(opts)
		key += " " + string(b)
	}
	logicMu.Lock()
	defer logicMu.Unlock()
	if h, ok := logicCache[key]; ok {
		return h, nil
	}
	h, err := computeLogicHash(name, opts)
	if err != nil {
		return "", err
	}
	logicCache[key] = h
	return h, nil
}

// ProbeOptions are the options a set's reference hash is computed with:
// its defaults, except that when the defaults cannot build the set (a
// plugin whose integer option has no usable default), integer options
// left at 0 become 4.
func ProbeOptions(name string) features.Options {
	spec, ok := features.Lookup(name)
	if !ok {
		return nil
	}
	if _, err := features.NewExtractor([]features.Request{{Name: name}}, stages.DefaultStreamer().Env()); err == nil {
		return nil
	}
	opts := features.Options{}
	for _, o := range spec.Options {
		switch v := o.Default.(type) {
		case int64:
			if v == 0 {
				opts[o.Name] = int64(4)
			}
		case int:
			if v == 0 {
				opts[o.Name] = int64(4)
			}
		}
	}
	return opts
}

// ReferenceHash is LogicHash with ProbeOptions.
func ReferenceHash(name string) (string, error) { return LogicHash(name, ProbeOptions(name)) }

var (
	logicMu    sync.Mutex
	logicCache = map[string]string{}
)

func computeLogicHash(name string, opts features.Options) (string, error) {
	if _, ok := features.Lookup(name); !ok {
		return "", fmt.Errorf("unknown feature set %q", name)
	}
	probe := ProbeCapture()
	h := sha256.New()
	for _, st := range probeEnvs {
		reqs := []features.Request{{Name: name, Options: opts}}
		ex, err := features.NewExtractor(reqs, st.Env())
		if err == nil && len(ex.Schema()) == 0 && name != "base" {
			// A set without columns (a flow slicer) shows its effect in
			// base's columns: probe it with base.
			ex, err = features.NewExtractor(append(reqs, features.Request{Name: "base"}), st.Env())
		}
		if err != nil {
			return "", fmt.Errorf("probe of %s: %w", name, err)
		}
		src, err := stages.NewReader("probe", bytes.NewReader(probe))
		if err != nil {
			return "", fmt.Errorf("probe of %s: %w", name, err)
		}
		schema := ex.Schema()
		fmt.Fprintf(h, "schema %d\n", len(schema))
		for _, c := range schema {
			fmt.Fprintf(h, "%s %s %t\n", c.Name, c.Kind, c.Nullable)
		}
		sink := &hashSink{h: h, schema: schema}
		job := stages.Job{Source: src, Streamer: st, Extractor: ex, Sink: sink, Strict: true}
		res, err := job.Run(context.Background())
		src.Close()
		if err != nil {
			return "", fmt.Errorf("probe of %s: %w", name, err)
		}
		fmt.Fprintf(h, "flows %d\n", res.Flows)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// hashSink feeds records into a hash.
type hashSink struct {
	h      interface{ Write([]byte) (int, error) }
	schema features.Schema
	buf    []byte
}

func (s *hashSink) Begin(features.Schema) error { return nil }
func (s *hashSink) Write(rec features.Record) error {
	b := s.buf[:0]
	for i, v := range rec {
		b = appendValue(b, s.schema[i].Kind, v)
	}
	s.buf = b
	s.h.Write(b)
	return nil
}
func (s *hashSink) Close() error { return nil }
func (s *hashSink) Abort() error { return nil }
