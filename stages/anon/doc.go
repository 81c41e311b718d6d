// Package anon anonymises flow columns reproducibly: "keyed-hash", the form
// NFStream's columns_to_anonymize writes (the lowercase hex of a 64-byte
// keyed BLAKE2b of the value's text) but with a key the user supplies
// instead of a fresh random one per run, and "cryptopan", Xu, Fan, Ammar and
// Moon's prefix-preserving Crypto-PAn for IPv4, IPv6 and MAC addresses (two
// addresses that share a k-bit prefix map to two that share a k-bit prefix
// and no longer one).
//
// Keys are raw bytes: 64 for keyed-hash (BLAKE2b's largest key), 32 for
// cryptopan (the AES-128 key, then the 16 bytes the pad is made from, as
// in the Crypto-PAn reference implementation). Key digests, never keys,
// leave this package (Digest), so that cache keys and provenance can tell
// two keys apart without revealing either.
//
// May import: the standard library and golang.org/x/crypto/blake2b.
package anon
