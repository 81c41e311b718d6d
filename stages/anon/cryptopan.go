package anon

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"net/netip"
)

// CryptoPAnKeySize is the length of a Crypto-PAn key: the AES-128 key, then
// the 16 bytes whose encryption is the pad.
const CryptoPAnKeySize = 32

// CryptoPAn is a prefix-preserving address anonymiser. Bit i of the output
// is bit i of the input flipped by the first bit of AES(key, the input's
// first i bits followed by the pad's remaining bits), so the output's first
// k bits depend on the input's first k bits only. It is safe for concurrent
// use.
type CryptoPAn struct {
	block cipher.Block
	pad   [16]byte
}

// NewCryptoPAn returns the anonymiser for a 32-byte key.
func NewCryptoPAn(key []byte) (*CryptoPAn, error) {
	if len(key) != CryptoPAnKeySize {
		return nil, fmt.Errorf("anon: a cryptopan key has %d bytes, not %d", CryptoPAnKeySize, len(key))
	}
	block, err := aes.NewCipher(key[:16])
	if err != nil {
		return nil, fmt.Errorf("anon: cryptopan key: %w", err)
	}
	c := &CryptoPAn{block: block}
	block.Encrypt(c.pad[:], key[16:])
	return c, nil
}

// Addr returns the anonymised address: IPv4 (and IPv4-mapped IPv6, kept
// mapped) over 32 bits, IPv6 over 128; the zone is dropped.
func (c *CryptoPAn) Addr(a netip.Addr) netip.Addr {
	switch {
	case a.Is4():
		b := a.As4()
		c.bits(b[:])
		return netip.AddrFrom4(b)
	case a.Is4In6():
		b := a.Unmap().As4()
		c.bits(b[:])
		return netip.AddrFrom16(netip.AddrFrom4(b).As16())
	case a.Is6():
		b := a.As16()
		c.bits(b[:])
		return netip.AddrFrom16(b)
	}
	return a
}

// MAC anonymises a 6-byte hardware address in place. With keepOUI the
// first three bytes stay and the last three are anonymised as a 24-bit
// prefix-preserving value behind them (so two cards of one vendor stay of
// one anonymised vendor); otherwise all 48 bits are.
func (c *CryptoPAn) MAC(mac *[6]byte, keepOUI bool) {
	if keepOUI {
		oui := [3]byte{mac[0], mac[1], mac[2]}
		c.bits(mac[:])
		mac[0], mac[1], mac[2] = oui[0], oui[1], oui[2]
		return
	}
	c.bits(mac[:])
}

// bits anonymises b (at most 16 bytes) in place.
func (c *CryptoPAn) bits(b []byte) {
	n := len(b) * 8
	var in, out, flip [16]byte
	for i := range n {
		// in = the first i bits of b, then the pad's bits from i on.
		in = c.pad
		full := i / 8
		copy(in[:full], b[:full])
		if r := i % 8; r != 0 {
			keep := byte(0xff) << (8 - r)
			in[full] = b[full]&keep | c.pad[full]&^keep
		}
		c.block.Encrypt(out[:], in[:])
		flip[i/8] |= (out[0] >> 7) << (7 - i%8)
	}
	for i := range b {
		b[i] ^= flip[i]
	}
}
