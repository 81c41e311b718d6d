package anon

import (
	"encoding/hex"
	"fmt"
	"hash"

	"golang.org/x/crypto/blake2b"
)

// KeyedHashKeySize is the length of a keyed-hash key: BLAKE2b's largest,
// and the length of the key NFStream draws for every export.
const KeyedHashKeySize = 64

// KeyedHash replaces a value's text with the lowercase hex of its 64-byte
// BLAKE2b digest under the key, as NFStream's anonymiser does. It is not
// safe for concurrent use (it reuses one hash state).
type KeyedHash struct {
	h   hash.Hash
	sum [blake2b.Size]byte
	buf []byte
}

// NewKeyedHash returns the hasher for a 64-byte key.
func NewKeyedHash(key []byte) (*KeyedHash, error) {
	if len(key) != KeyedHashKeySize {
		return nil, fmt.Errorf("anon: a keyed-hash key has %d bytes, not %d", KeyedHashKeySize, len(key))
	}
	h, err := blake2b.New512(key)
	if err != nil {
		return nil, fmt.Errorf("anon: keyed-hash key: %w", err)
	}
	return &KeyedHash{h: h}, nil
}

// Sum returns the 128 hex digits of the keyed digest of text.
func (k *KeyedHash) Sum(text []byte) string {
	k.h.Reset()
	k.h.Write(text)
	k.buf = hex.AppendEncode(k.buf[:0], k.h.Sum(k.sum[:0]))
	return string(k.buf)
}
