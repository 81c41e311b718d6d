package meter

import (
	"encoding/binary"
	"net/netip"
)

// Link types as they appear in capture files (LINKTYPE_*), mapped the way
// libpcap maps them to DLT_* values before NFStream sees them.
const (
	LinkNull       = 0
	LinkEthernet   = 1
	LinkPPP        = 9
	LinkRaw12      = 12 // DLT_RAW on most systems
	LinkRaw14      = 14 // DLT_RAW on OpenBSD
	LinkPPPSerial  = 50
	LinkRaw        = 101 // LINKTYPE_RAW, mapped by libpcap to DLT_RAW
	LinkCiscoHDLC  = 104
	LinkLinuxSLL   = 113
	LinkIEEE80211  = 105 // 802.11 without radiotap: decoded only inside PPI
	LinkRadiotap   = 127
	LinkPPI        = 192
	LinkIPv4       = 228
	LinkIPv6       = 229
	LinkLinuxSLL2  = 276
	etherTypeIPv4  = 0x0800
	etherTypeIPv6  = 0x86DD
	etherTypeVLAN  = 0x8100
	etherTypeMPLSU = 0x8847
	etherTypeMPLSM = 0x8848
	etherTypePPPoE = 0x8864
)

// Tunnel ids (NFStream's tunnel_id column).
const (
	TunnelNone   uint8 = 0
	TunnelGTP    uint8 = 1
	TunnelCAPWAP uint8 = 2
	TunnelTZSP   uint8 = 3
)

// DecodeOptions change how frames are decoded.
type DecodeOptions struct {
	// Tunnels enables GTP-U, CAPWAP and TZSP decapsulation (decode_tunnels).
	Tunnels bool
	// LinuxSLL2 decodes Linux cooked v2 frames, which NFStream ignores.
	LinuxSLL2 bool
	// PPI decodes Per-Packet Information frames (DLT 192: a header naming
	// the inner link type, then that frame, Ethernet or 802.11 most often),
	// which NFStream ignores.
	PPI bool
}

// Decodes reports whether Decode reads frames of the link type with these
// options; every frame of any other link type is ignored, as NFStream
// ignores them.
func Decodes(linkType uint32, opt DecodeOptions) bool {
	switch linkType {
	case LinkNull, LinkEthernet, LinkPPP, LinkRaw12, LinkRaw14, LinkPPPSerial, LinkRaw,
		LinkCiscoHDLC, LinkLinuxSLL, LinkRadiotap, LinkIPv4, LinkIPv6:
		return true
	case LinkLinuxSLL2:
		return opt.LinuxSLL2
	case LinkPPI:
		return opt.PPI
	}
	return false
}

// LinkTypeName is the LINKTYPE_* name of a link type, without the prefix,
// or "" for one this table does not know.
func LinkTypeName(linkType uint32) string {
	switch linkType {
	case LinkNull:
		return "NULL"
	case LinkEthernet:
		return "ETHERNET"
	case LinkPPP:
		return "PPP"
	case LinkRaw12, LinkRaw14, LinkRaw:
		return "RAW"
	case LinkPPPSerial:
		return "PPP_HDLC"
	case LinkCiscoHDLC:
		return "C_HDLC"
	case LinkIEEE80211:
		return "IEEE802_11"
	case 108:
		return "LOOP"
	case LinkLinuxSLL:
		return "LINUX_SLL"
	case LinkRadiotap:
		return "IEEE802_11_RADIOTAP"
	case LinkPPI:
		return "PPI"
	case 189:
		return "USB_LINUX"
	case 220:
		return "USB_LINUX_MMAPPED"
	case LinkIPv4:
		return "IPV4"
	case LinkIPv6:
		return "IPV6"
	case LinkLinuxSLL2:
		return "LINUX_SLL2"
	}
	return ""
}

func be16(b []byte, i int) uint16 {
	if i+2 > len(b) || i < 0 {
		return 0
	}
	return binary.BigEndian.Uint16(b[i:])
}

func byteAt(b []byte, i int) uint8 {
	if i >= len(b) || i < 0 {
		return 0
	}
	return b[i]
}

// decode80211 reads a bare 802.11 data frame at w (inside PPI; NFStream
// never decodes DLT 105): the MACs into p, then the LLC/SNAP header's
// EtherType and where the IP header starts. Control, management and
// protected frames are not for the meter.
func decode80211(data []byte, w int, p *Packet) (etype uint16, ipOffset int, ok bool) {
	fc := binary.LittleEndian.Uint16(data[w:])
	if (fc>>2)&0x3 != 2 || fc&0x4000 != 0 {
		return 0, 0, false
	}
	toDS, fromDS := fc&0x0100 != 0, fc&0x0200 != 0
	hdr := 24
	if toDS && fromDS {
		hdr = 30 // a fourth address
	}
	if (fc>>4)&0x8 != 0 {
		hdr += 2 // QoS control
		if fc&0x8000 != 0 {
			hdr += 4 // HT control
		}
	}
	llc := w + hdr
	if len(data) < llc+8 || data[llc] != 0xAA || data[llc+1] != 0xAA {
		return 0, 0, false
	}
	a1, a2, a3 := data[w+4:w+10], data[w+10:w+16], data[w+16:w+22]
	switch {
	case !toDS && !fromDS:
		copy(p.DstMAC[:], a1)
		copy(p.SrcMAC[:], a2)
	case toDS && !fromDS:
		copy(p.DstMAC[:], a3)
		copy(p.SrcMAC[:], a2)
	case !toDS && fromDS:
		copy(p.DstMAC[:], a1)
		copy(p.SrcMAC[:], a3)
	default:
		copy(p.DstMAC[:], a3)
		copy(p.SrcMAC[:], data[w+24:w+30])
	}
	return be16(data, llc+6), llc + 8, true
}

// Decode parses one frame into p following NFStream's packet_process. It
// reports false for a frame NFStream ignores. It never reads outside data:
// where NFStream's C code would read past the captured bytes (truncated
// IPv4 packets), absent bytes read as zero.
func Decode(linkType uint32, data []byte, wireLen uint32, opt DecodeOptions, p *Packet) bool {
	if linkType == LinkEthernet {
		if ok, done := decodeEthernetIPv4(data, wireLen, opt, p); done {
			return ok
		}
	}
	return decodeAny(linkType, data, wireLen, opt, p)
}

// decodeEthernetIPv4 is Decode's path for the most common frame, IPv4
// straight over Ethernet, not fragmented and not a tunnel: done is false
// for any other frame, which decodeAny then reads from the start. The
// general decoder's loops and jumps keep a dozen variables alive across
// them, and it spent about 240 instructions a packet mostly spilling them;
// this path gives the same Packet (FuzzDecodeEthernetIPv4 holds the two to
// that) in a fraction of it.
func decodeEthernetIPv4(data []byte, wireLen uint32, opt DecodeOptions, p *Packet) (ok, done bool) {
	const ipOffset = 14
	if len(data) < ipOffset+20 || binary.BigEndian.Uint16(data[12:]) != etherTypeIPv4 {
		return false, false
	}
	ip := data[ipOffset:]
	proto := ip[9]
	if ip[0]>>4 != 4 || proto == 41 || proto == 4 {
		return false, false
	}
	ipLen := int(ip[0]&0x0F) * 4
	if opt.Tunnels && proto == 17 {
		udp := ipLen
		if len(ip) < udp+8 {
			return false, true
		}
		if sport, dport := be16(ip, udp), be16(ip, udp+2); sport == 2152 || dport == 2152 ||
			sport == 37008 || dport == 37008 || sport == 5247 || dport == 5247 {
			return false, false
		}
	}
	if binary.BigEndian.Uint16(ip[6:])&0x1FFF != 0 {
		return false, true
	}
	*p = Packet{}
	copy(p.DstMAC[:], data[0:6])
	copy(p.SrcMAC[:], data[6:12])
	return parseIPv4(ip, wireLen, p), true
}

// parseIPv4 is parseIP for an IPv4 packet outside any VLAN or tunnel, on a
// p already zeroed, for the fast path.
func parseIPv4(ip []byte, wireLen uint32, p *Packet) bool {
	ipsize := int(uint16(len(ip)))
	ihl := int(ip[0]&0x0F) * 4
	if ipsize < 20 || ihl > ipsize {
		return false
	}
	totLen := int(binary.BigEndian.Uint16(ip[2:]))
	l4len := int(uint16(totLen - ihl))
	if max(totLen, ipsize) < ihl+l4len {
		return false
	}
	proto := ip[9]
	p.IPVersion = 4
	p.SrcIP = netip.AddrFrom4([4]byte(ip[12:16]))
	p.DstIP = netip.AddrFrom4([4]byte(ip[16:20]))
	p.Protocol = proto
	p.L4Offset = ihl
	switch {
	case proto == 6 && l4len >= 20:
		if len(ip) >= ihl+14 {
			l4 := ip[ihl : ihl+14]
			p.SrcPort, p.DstPort = binary.BigEndian.Uint16(l4), binary.BigEndian.Uint16(l4[2:])
			doff := int(l4[12]>>4) * 4
			p.Flags = l4[13]
			p.TransportSize = uint16(l4len)
			p.PayloadSize = uint16(max(0, l4len-doff))
			p.PayloadOffset = ihl + min(doff, l4len)
			break
		}
		p.SrcPort, p.DstPort = be16(ip, ihl), be16(ip, ihl+2)
		doff := int(byteAt(ip, ihl+12)>>4) * 4
		p.TransportSize = uint16(l4len)
		p.PayloadSize = uint16(max(0, l4len-doff))
		p.PayloadOffset = ihl + min(doff, l4len)
		p.Flags = byteAt(ip, ihl+13)
	case proto == 17 && l4len >= 8:
		p.SrcPort, p.DstPort = be16(ip, ihl), be16(ip, ihl+2)
		p.TransportSize = uint16(l4len)
		if l4len > 8 {
			p.PayloadSize = uint16(l4len - 8)
		}
		p.PayloadOffset = ihl + 8
	case proto == 1 || proto == 58:
		p.TransportSize = uint16(l4len)
		if l4len > 8 {
			p.PayloadSize = uint16(l4len - 8)
		}
		p.PayloadOffset = ihl + 8
	default:
		p.PayloadOffset = ihl + l4len
	}
	p.IPSize = uint16(totLen)
	p.RawSize = uint16(wireLen)
	p.IPPacket = ip[:ipsize]
	return true
}

// decodeAny is Decode for every link type and encapsulation.
func decodeAny(linkType uint32, data []byte, wireLen uint32, opt DecodeOptions, p *Packet) bool {
	*p = Packet{}
	caplen := len(data)
	var (
		ethOffset  int
		etype      uint16
		ipOffset   int
		pyldEthLen int
		wifiLen    int
		proto      uint8
		fragOff    uint16
		vlan       uint16
		tunnel     uint8
		ipLen      int
		v6         bool
		viaPPI     bool
		hdlcAt     int // where NFStream's Cisco HDLC test looks: the buffer's first byte
	)

datalink:
	if caplen < ethOffset+28 {
		return false
	}
	switch linkType {
	case LinkNull:
		if binary.BigEndian.Uint32(data[ethOffset:]) == 2 {
			etype = etherTypeIPv4
		} else {
			etype = etherTypeIPv6
		}
		ipOffset = ethOffset + 4
	case LinkPPPSerial:
		ipOffset = ethOffset + 4
		etype = be16(data, ethOffset+2)
	case LinkPPP, LinkCiscoHDLC:
		// NFStream tests the first byte of the whole buffer, not of the
		// link header (matters only after a TZSP restart).
		if data[hdlcAt] == 0x0f || data[hdlcAt] == 0x8f {
			ipOffset = ethOffset + 4
			etype = be16(data, ethOffset+2)
		} else {
			ipOffset = ethOffset + 2
			etype = be16(data, ethOffset)
		}
	case LinkIPv4:
		etype, ipOffset = etherTypeIPv4, ethOffset
	case LinkIPv6:
		etype, ipOffset = etherTypeIPv6, ethOffset
	case LinkEthernet:
		copy(p.DstMAC[:], data[ethOffset:ethOffset+6])
		copy(p.SrcMAC[:], data[ethOffset+6:ethOffset+12])
		ipOffset = ethOffset + 14
		check := be16(data, ethOffset+12)
		if check <= 1500 {
			pyldEthLen = int(check)
		} else if check >= 1536 {
			etype = check
		}
		if pyldEthLen != 0 {
			dsap, ssap := data[ipOffset], data[ipOffset+1]
			if dsap == 0xAA || ssap == 0xAA {
				// NFStream reads the SNAP protocol id in host (little-endian)
				// order; the IP version nibble still decides later.
				etype = uint16(byteAt(data, ipOffset+6)) | uint16(byteAt(data, ipOffset+7))<<8
				ipOffset += 8
			} else if dsap == 0x42 || ssap == 0x42 {
				return false
			}
		}
	case LinkLinuxSLL:
		etype = uint16(data[ethOffset+14])<<8 | uint16(data[ethOffset+15])
		ipOffset = ethOffset + 16
	case LinkLinuxSLL2:
		if !opt.LinuxSLL2 {
			return false
		}
		etype = be16(data, ethOffset)
		ipOffset = ethOffset + 20
	case LinkRadiotap:
		radioLen := int(binary.LittleEndian.Uint16(data[ethOffset+2:]))
		if data[ethOffset+16]&0x50 == 0x50 { // bad FCS, at NFStream's fixed offset
			return false
		}
		if caplen < ethOffset+radioLen+24 {
			return false
		}
		w := ethOffset + radioLen
		fc := binary.LittleEndian.Uint16(data[w:])
		if (fc>>2)&0x3 != 2 { // not a data frame
			return false
		}
		toDS, fromDS := fc&0x0100 != 0, fc&0x0200 != 0
		if toDS != fromDS {
			wifiLen = 26
		}
		copy(p.SrcMAC[:], data[w+10:w+16])
		copy(p.DstMAC[:], data[w+16:w+22])
		if caplen < ethOffset+wifiLen+radioLen+8 {
			return false
		}
		llc := ethOffset + wifiLen + radioLen
		if data[llc] == 0xAA {
			etype = be16(data, llc+6)
		}
		ipOffset = llc + 8
	case LinkPPI:
		if !opt.PPI || viaPPI {
			return false
		}
		// Version 0, flags, then the header length and the inner link
		// type, both little-endian; the fields in between are radio
		// metadata nothing here reads.
		hdrLen := int(binary.LittleEndian.Uint16(data[ethOffset+2:]))
		if data[ethOffset] != 0 || hdrLen < 8 || caplen < ethOffset+hdrLen {
			return false
		}
		linkType = binary.LittleEndian.Uint32(data[ethOffset+4:])
		ethOffset += hdrLen
		hdlcAt, viaPPI = ethOffset, true
		goto datalink
	case LinkIEEE80211:
		if !viaPPI {
			return false
		}
		var ok bool
		if etype, ipOffset, ok = decode80211(data, ethOffset, p); !ok {
			return false
		}
	case LinkRaw12, LinkRaw14, LinkRaw:
		ipOffset = ethOffset
		switch data[ethOffset] >> 4 {
		case 4:
			etype = etherTypeIPv4
		case 6:
			etype = etherTypeIPv6
		}
	default:
		return false
	}

	// EtherType loop: VLAN, MPLS and PPPoE re-examine the type.
	for {
		recheck := false
		switch etype {
		case etherTypeVLAN:
			if ipOffset+4 >= caplen {
				return false
			}
			vlan = be16(data, ipOffset) & 0xFFF
			etype = be16(data, ipOffset+2)
			ipOffset += 4
			for etype == etherTypeVLAN && ipOffset+4 < caplen {
				vlan = be16(data, ipOffset) & 0xFFF
				etype = be16(data, ipOffset+2)
				ipOffset += 4
			}
			recheck = true
		case etherTypeMPLSU, etherTypeMPLSM:
			if ipOffset+4 >= caplen {
				return false
			}
			label := binary.BigEndian.Uint32(data[ipOffset:])
			etype = etherTypeIPv4
			ipOffset += 4
			for label&0x100 == 0 && ipOffset+4 < caplen {
				label = binary.BigEndian.Uint32(data[ipOffset:])
				ipOffset += 4
			}
			recheck = true
		case etherTypePPPoE:
			etype = etherTypeIPv4
			ipOffset += 8
			recheck = true
		}
		if !recheck {
			break
		}
	}

iphCheck:
	if caplen < ipOffset+20 {
		return false
	}
	if etype == etherTypeIPv4 {
		fragOff = be16(data, ipOffset+6)
		proto = data[ipOffset+9]
	}
	switch data[ipOffset] >> 4 {
	case 4:
		v6 = false
		ipLen = int(data[ipOffset]&0x0F) * 4
		if inner := data[ipOffset+9]; inner == 41 || inner == 4 {
			ipOffset += ipLen
			if ipLen > 0 {
				goto iphCheck
			}
		}
		if fragOff&0x1FFF != 0 {
			return false
		}
	case 6:
		if caplen < ipOffset+40 {
			return false
		}
		proto = data[ipOffset+6]
		plen := int(be16(data, ipOffset+4))
		if caplen < ipOffset+40+plen {
			return false
		}
		ipsize := uint16(caplen - ipOffset)
		l4off, l4len, nxt, ok := walkIPv6Extensions(data[ipOffset:], int(ipsize-40), plen, proto)
		if !ok {
			return false
		}
		ipLen, proto = l4len, nxt
		if proto == 41 || proto == 4 {
			ipOffset += l4off
			goto iphCheck
		}
		v6 = true
	default:
		return false
	}

	if opt.Tunnels && proto == 17 {
		// For IPv6 outer headers ipLen is the L4 length, not the header
		// length: NFStream's offset bug, kept for parity.
		udp := ipOffset + ipLen
		if caplen < udp+8 {
			return false
		}
		sport, dport := be16(data, udp), be16(data, udp+2)
		switch {
		case (sport == 2152 || dport == 2152) && udp+8+8 < caplen:
			off := udp + 8
			flags, msgType := data[off], data[off+1]
			if flags>>5 == 1 && msgType == 0xFF {
				off += 8
				if flags&0x07 != 0 {
					off += 4
				}
				extErr := false
				if flags&0x04 != 0 {
					for off < caplen {
						n := int(data[off]) << 2
						off += n
						if off >= caplen || n == 0 {
							extErr = true
							break
						}
						if data[off-1] == 0 {
							break
						}
					}
				}
				if off < caplen && !extErr {
					tunnel = TunnelGTP
					ipOffset = off
					switch data[ipOffset] >> 4 {
					case 6:
						v6 = true
						if caplen < ipOffset+40 {
							return false
						}
					case 4:
						v6 = false
						if caplen < ipOffset+20 {
							return false
						}
					default:
						return false
					}
				}
			}
		case sport == 37008 || dport == 37008:
			if caplen < udp+8+4 {
				return false
			}
			off := udp + 8
			tunnel = TunnelTZSP
			if data[off] == 1 && data[off+1] == 0 && be16(data, off+2) == 1 {
				off += 4
				if off < caplen {
					tagLen := 1
					switch data[off] {
					case 0, 1:
					default:
						if off+1 >= caplen {
							return false
						}
						tagLen = int(data[off+1])
					}
					off += tagLen
					if off >= caplen {
						return false
					}
					ethOffset = off
					goto datalink
				}
			}
		case sport == 5247 || dport == 5247:
			off := udp + 8
			if off+1 < caplen && data[off]&0x0F == 0 {
				off += int(data[off+1]&0xF8) >> 1
				if off+32 < caplen {
					copy(p.SrcMAC[:], data[off+10:off+16])
					copy(p.DstMAC[:], data[off+16:off+22])
					off += 24
					etype = be16(data, off+6)
					ipOffset = off + 8
					tunnel = TunnelCAPWAP
					goto iphCheck
				}
			}
		}
	}
	return parseIP(data[ipOffset:], v6, wireLen, vlan, tunnel, p)
}

// walkIPv6Extensions follows nDPI's extension-header walk. l3len is the
// number of captured bytes after the fixed header, l4len the payload length
// field. It returns the offset of the transport header from the start of
// the IPv6 header, the remaining L4 length and the final next header.
func walkIPv6Extensions(ip []byte, l3len, l4len int, nxt uint8) (int, int, uint8, bool) {
	off := 40
	for nxt == 0 || nxt == 43 || nxt == 44 || nxt == 60 || nxt == 135 || nxt == 59 {
		if nxt == 59 {
			return 0, 0, 0, false
		}
		if nxt == 44 {
			if l4len < 8 || l3len < 5 {
				return 0, 0, 0, false
			}
			l3len -= 5
			nxt = byteAt(ip, off)
			if be16(ip, off+2)>>3 != 0 {
				return 0, 0, 0, false
			}
			l4len -= 8
			off += 8
			continue
		}
		if l4len < 2 {
			return 0, 0, 0, false
		}
		ehdr := int(byteAt(ip, off+1))*8 + 8
		if ehdr > l3len {
			return 0, 0, 0, false
		}
		l3len -= ehdr
		if l4len < ehdr {
			return 0, 0, 0, false
		}
		nxt = byteAt(ip, off)
		l4len -= ehdr
		off += ehdr
	}
	return off, l4len, nxt, true
}

// parseIP is NFStream's packet_parse: sizes, addresses, ports and flags of
// the IP packet that starts ip (captured bytes only).
func parseIP(ip []byte, v6 bool, wireLen uint32, vlan uint16, tunnel uint8, p *Packet) bool {
	ipsize := int(uint16(len(ip)))
	var l4off, l4len, totLen int
	var proto uint8
	if !v6 {
		ihl := int(ip[0]&0x0F) * 4
		totLen = int(be16(ip, 2))
		l4len = int(uint16(totLen - ihl))
		l4off = ihl
		if ipsize < 20 || ihl > ipsize {
			return false
		}
		proto = ip[9]
		p.IPVersion = 4
		p.SrcIP = netip.AddrFrom4([4]byte(ip[12:16]))
		p.DstIP = netip.AddrFrom4([4]byte(ip[16:20]))
	} else {
		if ipsize < 40 {
			return false
		}
		plen := int(be16(ip, 4))
		if ipsize < 40+plen {
			return false
		}
		off, rest, nxt, ok := walkIPv6Extensions(ip, ipsize-40, plen, ip[6])
		if !ok {
			return false
		}
		if off > ipsize {
			return false
		}
		totLen, l4len, l4off, proto = plen, rest, off, nxt
		p.IPVersion = 6
		p.SrcIP = netip.AddrFrom16([16]byte(ip[8:24]))
		p.DstIP = netip.AddrFrom16([16]byte(ip[24:40]))
	}
	if max(totLen, ipsize) < l4off+l4len {
		return false
	}
	p.Protocol = proto
	p.L4Offset = l4off
	switch {
	case proto == 6 && l4len >= 20:
		p.SrcPort, p.DstPort = be16(ip, l4off), be16(ip, l4off+2)
		doff := int(byteAt(ip, l4off+12)>>4) * 4
		p.TransportSize = uint16(l4len)
		p.PayloadSize = uint16(max(0, l4len-doff))
		p.PayloadOffset = l4off + min(doff, l4len)
		p.Flags = byteAt(ip, l4off+13)
	case proto == 17 && l4len >= 8:
		p.SrcPort, p.DstPort = be16(ip, l4off), be16(ip, l4off+2)
		p.TransportSize = uint16(l4len)
		if l4len > 8 {
			p.PayloadSize = uint16(l4len - 8)
		}
		p.PayloadOffset = l4off + 8
	case proto == 1 || proto == 58:
		p.TransportSize = uint16(l4len)
		if l4len > 8 {
			p.PayloadSize = uint16(l4len - 8)
		}
		p.PayloadOffset = l4off + 8
	default:
		p.PayloadOffset = l4off + l4len
	}
	p.IPSize = uint16(totLen)
	p.RawSize = uint16(wireLen)
	p.VLAN = vlan
	p.Tunnel = tunnel
	p.IPPacket = ip[:ipsize]
	return true
}
