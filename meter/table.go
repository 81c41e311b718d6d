package meter

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
)

// table is the meter's flow table: a map from a 64-bit hash of the key to a
// chain of flows (Flow.hnext). A map[Key]*Flow slot holds the 40-byte key
// and a pointer; this one holds 8 + 8 bytes, which is about 50 bytes per
// active flow less once the map's spare capacity is counted. Chains are
// almost always one flow long; the seed is random so that nobody can choose
// addresses that collide, and nothing in the output depends on it.
type table struct {
	m    map[uint64]*Flow
	n    int
	seed uint64
}

func newTable() table {
	return table{m: make(map[uint64]*Flow, 1024), seed: rand.Uint64() | 1}
}

func (t *table) hash(k *Key) uint64 {
	const m1, m2 = 0xa0761d6478bd642f, 0xe7037ed1a0b428db
	w := uint64(k.LoPort)<<48 | uint64(k.HiPort)<<32 | uint64(k.Proto)<<24 | uint64(k.Tunnel)<<16 | uint64(k.VLAN)
	mix := func(a, b uint64) uint64 { hi, lo := bits.Mul64(a, b); return hi ^ lo }
	h := mix(binary.LittleEndian.Uint64(k.LoIP[:8])^t.seed, binary.LittleEndian.Uint64(k.LoIP[8:])^m1)
	h = mix(binary.LittleEndian.Uint64(k.HiIP[:8])^h, binary.LittleEndian.Uint64(k.HiIP[8:])^m2)
	return mix(w^h, m1^t.seed)
}

func (t *table) get(k *Key) *Flow { return t.getHash(t.hash(k), k) }

// put adds f, whose key is not in the table.
func (t *table) put(f *Flow) { t.putHash(t.hash(&f.Key), f) }

// del removes f, which is in the table.
func (t *table) del(f *Flow) { t.delHash(t.hash(&f.Key), f) }

func (t *table) getHash(h uint64, k *Key) *Flow {
	f := t.m[h]
	for f != nil && f.Key != *k {
		f = f.hnext
	}
	return f
}

func (t *table) putHash(h uint64, f *Flow) {
	f.hnext = t.m[h]
	t.m[h] = f
	t.n++
}

func (t *table) delHash(h uint64, f *Flow) {
	head := t.m[h]
	switch {
	case head == f && f.hnext == nil:
		delete(t.m, h)
	case head == f:
		t.m[h] = f.hnext
	default:
		p := head
		for p.hnext != f {
			p = p.hnext
		}
		p.hnext = f.hnext
	}
	f.hnext = nil
	t.n--
}

// reset empties the table; the flows' chain links are the caller's to drop.
func (t *table) reset() {
	clear(t.m)
	t.n = 0
}
