package dpi

import "bytes"

// BitTorrent: the peer wire handshake ("\x13BitTorrent protocol") over TCP
// or inside uTP (BEP 29) over UDP, the DHT's bencoded queries (BEP 5:
// "d1:ad2:id20:", find_node, info_hash, …), local peer discovery
// ("BT-SEARCH * HTTP/1.1") and the web seed and tracker requests of
// clients over HTTP.
type bittorrentDissector struct{}

func (bittorrentDissector) Name() string { return "BitTorrent" }

var protoBitTorrent = protoByName("BitTorrent")

const btProtocolString = "BitTorrent protocol"

// btFlow counts the UDP packets seen without a decision (nDPI's
// bittorrent_stage).
type btFlow struct{ stage uint8 }

var btID DissectorID

func (bittorrentDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.IPVersion == 4 {
		bcast := [4]byte{255, 255, 255, 255}
		if p.SrcIP.As4() == bcast || p.DstIP.As4() == bcast {
			return NotMine
		}
		if p.Protocol == 17 && (hasPort(p, 3544) || hasPort(p, 5246) || hasPort(p, 5247)) {
			return NotMine // Teredo and CAPWAP
		}
	}
	if p.Protocol == 6 {
		if btTCP(b, payloadCounter(st)) {
			return btFound(st)
		}
	} else {
		if p.SrcPort < 1024 || p.DstPort < 1024 {
			return NotMine
		}
		if len(b) > 22 && bytes.HasPrefix(b, []byte("BT-SEARCH * HTTP/1.1\r\n")) ||
			len(b) > 12 && bytes.HasPrefix(b, []byte("d1:ad2:id20:")) {
			return btFound(st)
		}
		if len(b) >= 20 && btUTP(b, p.TimeMs) {
			return btFound(st)
		}
		var scratch btFlow
		s, stored := loadState(st, btID, &scratch)
		defer keepState(st, btID, s, stored)
		s.stage++
		if s.stage >= 5 {
			return NotMine
		}
		if len(b) > 19 {
			for _, m := range []string{":target20:", ":find_node1:", "d1:ad2:id20:", ":info_hash20:",
				":filter64", "d1:rd2:id20:", btProtocolString} {
				if cContains(b, m) {
					return btFound(st)
				}
			}
		}
	}
	if payloadCounter(st) > 8 {
		return NotMine
	}
	return NeedMore
}

// btUTP recognises uTP (v1 header, the v0 header with a plausible
// timestamp, or a 0x60 packet) and the handshake inside any UDP packet.
func btUTP(b []byte, timeMs uint64) bool {
	if isUTPv1(b) || bytes.HasPrefix(b, []byte{0x60, 0, 0, 0, 0}) {
		return true
	}
	ext, flags := b[17], b[18]
	if flags < 6 && ext < 3 {
		// uTP v0: a timestamp in seconds within a day of the capture time.
		ts, now := be32(b[4:]), uint32(timeMs/1000)
		return ts < now+86400 && ts > now-86400
	}
	return cContains(b[20:], btProtocolString)
}

// isUTPv1 checks a uTP version 1 header (20 bytes: type/version, next
// extension, connection id, timestamps, window, sequence numbers).
func isUTPv1(b []byte) bool {
	if len(b) < 20 || b[0]&0x0f != 1 || b[0]>>4 > 4 || b[1] > 2 {
		return false
	}
	window := be32(b[12:])
	return window <= 65565 && (window != 0 || len(b) == 20)
}

// btTCP recognises the peer wire handshake and the HTTP requests of
// BitTorrent clients (web seeds, trackers).
func btTCP(b []byte, counter uint32) bool {
	switch {
	case counter == 2 && len(b) > 20 && bytes.HasPrefix(b, []byte(btProtocolString)):
		return true // the handshake split after its length byte
	case len(b) > 20 && b[0] == 0x13 && bytes.HasPrefix(b[1:], []byte(btProtocolString)):
		return true
	case len(b) > 23 && bytes.HasPrefix(b, []byte("GET /webseed?info_hash=")):
		return true
	case len(b) > 60 && bytes.HasPrefix(b, []byte("GET /data?fid=")) && bytes.HasPrefix(b[54:], []byte("&size=")):
		return true
	}
	if len(b) > 90 && (bytes.HasPrefix(b, []byte("GET ")) || bytes.HasPrefix(b, []byte("POST "))) {
		if ua, ok := textHeader(b, "User-agent: ", 12); ok &&
			(len(ua) > 8 && bytes.HasPrefix(ua, []byte("Azureus ")) ||
				bytes.HasPrefix(ua, []byte("BitTorrent")) || bytes.HasPrefix(ua, []byte("BTWebClient"))) {
			return true
		}
		return btTrackerRequest(b[4:])
	}
	return false
}

// btTrackerRequest looks in a request for "info_hash=" followed by 20
// URL-encoded bytes, as a tracker announce carries.
func btTrackerRequest(b []byte) bool {
	for {
		if len(b) < 50 || b[0] == '\r' {
			return false
		}
		if bytes.HasPrefix(b, []byte("info_hash=")) {
			break
		}
		b = b[1:]
	}
	b = b[10:]
	for range 20 {
		if len(b) < 3 {
			return false
		}
		switch {
		case b[0] == '%':
			if !isHexDigit(b[1]) || !isHexDigit(b[2]) {
				return false
			}
			b = b[3:]
		case b[0] >= 32 && b[0] < 127:
			b = b[1:]
		default:
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func btFound(st *State) Verdict {
	// nDPI keeps looking for the torrent's hash a few packets more; the
	// hash is not reported, so the verdict is final here. A tracker request
	// HTTP has just detected stays under HTTP (HTTP.BitTorrent).
	setKeepingMaster(st, protoBitTorrent)
	return Done
}

func init() {
	btID = register(Spec{Dissector: bittorrentDissector{}, Transport: TCPUDP, Proto: protoBitTorrent, Order: orderOf("bittorrent")})
}
