package dpi

// DTLS (RFC 6347, 9147) over UDP: the records of one datagram are walked;
// handshake messages (reassembled from fragments when needed) go through
// the TLS hello and certificate readers. Application data alone identifies
// DTLS mid-session. Dissection stops at a ChangeCipherSpec, after the
// certificate, or on anything that is not DTLS.

func dtlsVersionOK(b []byte) bool {
	return (b[0] == 0xfe && (b[1] == 0xff || b[1] == 0xfd)) || (b[0] == 0x01 && b[1] == 0x00)
}

func dissectDTLS(p *Packet, st *State) Verdict {
	pl := p.Payload
	d := p.Direction & 1
	noDTLS, ccs, pending := false, false, false
	t := st.tls
	processed := 0
	for processed+13 < len(pl) {
		blk := pl[processed:]
		if (blk[0] != 0x16 && blk[0] != 0x14 && blk[0] != 0x17) || !dtlsVersionOK(blk[1:3]) {
			noDTLS = true
			break
		}
		bl := int(be16(blk[11:]))
		if bl == 0 || processed+bl+12 >= len(pl) {
			noDTLS = true
			break
		}
		if blk[0] == 0x16 {
			if processed+bl+13 > len(pl) {
				noDTLS = true
				break
			}
			if bl > 24 {
				if t == nil {
					t = st.tlsState()
				}
				hl := int(be24(blk[14:]))
				fragOff := int(be24(blk[19:]))
				fragLen := int(be24(blk[22:]))
				switch {
				case hl+12 == bl:
					tlsBlock(st, t, blk[13:13+bl], d, true, 0)
				case hl+12 > bl:
					if fragLen+12 > bl {
						noDTLS = true
					} else {
						b := t.buf[d]
						if fragOff == 0 {
							if len(b) == 0 {
								b = append(make([]byte, 0, hl+12), blk[13:13+12+fragLen]...)
								t.nextSeq[d] = uint32(fragLen + 12)
							}
						} else if len(b) > 0 && uint32(fragOff+12) == t.nextSeq[d] {
							if len(b)+fragLen > tlsMaxBuffer {
								noDTLS = true
								break
							}
							b = append(b, blk[25:25+fragLen]...)
							t.nextSeq[d] = uint32(fragOff + 12 + fragLen)
						}
						t.buf[d] = b
						pending = true
						if len(b) == hl+12 {
							tlsBlock(st, t, b, d, true, 0)
							t.buf[d] = nil
							t.nextSeq[d] = 0
							pending = false
						}
					}
				default:
					noDTLS = true
				}
				if noDTLS {
					break
				}
			}
		} else if blk[0] == 0x14 {
			ccs = true
			processed += bl + 13
			break
		} else {
			processed += bl + 13
			if st.app == ProtoUnknown && st.master == ProtoUnknown {
				st.SetProtocol(protoDTLS, ProtoUnknown, ConfidenceDPI)
			}
			if t == nil {
				t = st.tlsState()
			}
			t.certDone = true
			break
		}
		processed += bl + 13
	}
	if processed != len(pl) && !pending && !ccs {
		noDTLS = true
	}
	if noDTLS || ccs || (t != nil && t.certDone) {
		return tlsStop(st)
	}
	return NeedMore
}
