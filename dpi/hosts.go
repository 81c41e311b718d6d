package dpi

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// Host-name rules (data/hosts.txt): a name pattern gives an application and
// a category. Matching follows nDPI's domain matcher:
//
//   - a pattern that ends with '.' or '-' ("amazon.", "fbcdn-") may match
//     anywhere in the name; any other pattern must end where the name ends;
//   - a pattern containing a dot and not starting with '.' or '-'
//     ("ws.amazon.com") must start the name or follow a '.' or '-'
//     ("a.ws.amazon.com" matches, "aws.amazon.com" does not);
//   - a whole-name match wins at once; otherwise the pattern with the most
//     domain levels wins, the first found on a tie.

//go:embed data/hosts.txt
var hostsTxt string

//go:embed data/hostcategories.txt
var hostCategoriesTxt string

type hostRule struct {
	pattern  string
	app      ProtoID
	category string
	level    int
	anywhere bool // pattern ends with '.' or '-'
	boundary bool // pattern has a dot and does not start with '.' or '-'
}

type hostTable struct {
	atEnd    map[string]*hostRule // patterns that must end the name
	anywhere []*hostRule
	// endHashes holds a hash of each atEnd pattern, read from its end: the
	// match loop hashes the name's suffixes the same way as it walks back,
	// and probes the map only for a suffix whose hash is there (about one
	// in a hundred that are not a pattern).
	endHashes bitSet16
	// anyByFirst lists, by first byte, the indexes in anywhere of the
	// patterns starting with it, so a name is scanned once instead of once
	// per pattern; any3 holds the hashes of their first three bytes, to
	// pass over most positions without looking at the list, except where
	// a pattern shorter than three bytes may start (anyShort).
	anyByFirst [256][]uint16
	any3       bitSet16
	anyShort   byteSet
}

// bitSet16 is a set of 16-bit hashes.
type bitSet16 [1 << 10]uint64

func (s *bitSet16) add(h uint16)      { s[h>>6] |= 1 << (h & 63) }
func (s *bitSet16) has(h uint16) bool { return s[h>>6]&(1<<(h&63)) != 0 }

// suffixHashStep extends the hash of a suffix by the byte before it.
func suffixHashStep(h uint32, c byte) uint32 { return (h ^ uint32(c)) * 16777619 }

const suffixHashSeed = 2166136261

func hash16(h uint32) uint16 { return uint16((h * 0x9E3779B1) >> 16) }

func gram3(a, b, c byte) uint16 { return hash16(uint32(a)<<16 | uint32(b)<<8 | uint32(c)) }

type byteSet [4]uint64

func (s *byteSet) add(c byte)      { s[c>>6] |= 1 << (c & 63) }
func (s *byteSet) has(c byte) bool { return s[c>>6]&(1<<(c&63)) != 0 }

var (
	hostRules     = loadHostRules(hostsTxt, true)
	categoryRules = loadHostRules(hostCategoriesTxt, false)
)

func isMiddle(c byte) bool { return c == '.' || c == '-' }

// domainLevel counts the labels of a pattern the way nDPI ranks them:
// "a." and ".a." are 1, "a.b" is 2.
func domainLevel(s string) int {
	level, state := 1, 0
	// states: 0 start, 1 leading dot, 2 inside a label, 3 just after a dot
	for i := 0; i < len(s); i++ {
		c := s[i]
		if state == 3 {
			level++
		}
		switch {
		case c == '.':
			switch state {
			case 0:
				state = 1
			case 2:
				state = 3
			default:
				return 0
			}
		case c == '-':
			switch state {
			case 0, 2:
				state = 2
			default:
				return 0
			}
		default:
			state = 2
		}
	}
	if state >= 2 {
		return level
	}
	return 0
}

func loadHostRules(txt string, withApp bool) *hostTable {
	t := &hostTable{atEnd: map[string]*hostRule{}}
	for n, line := range strings.Split(txt, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		r := &hostRule{pattern: strings.ToLower(f[0])}
		switch {
		case withApp && (len(f) == 3 || len(f) == 4):
			r.app = protoByName(f[1])
			r.category = f[2]
		case !withApp && len(f) == 2:
			r.category = f[1]
		default:
			panic(fmt.Sprintf("dpi: host rules line %d: bad field count", n+1))
		}
		p := r.pattern
		if p == "" {
			continue
		}
		r.level = domainLevel(p)
		if withApp && len(f) == 4 {
			lv, err := strconv.Atoi(f[3])
			if err != nil {
				panic(fmt.Sprintf("dpi: host rules line %d: level %q: %v", n+1, f[3], err))
			}
			r.level = lv
		}
		r.anywhere = isMiddle(p[len(p)-1])
		r.boundary = strings.IndexByte(p, '.') >= 0 && !isMiddle(p[0])
		if r.anywhere {
			t.anywhere = append(t.anywhere, r)
		} else if _, dup := t.atEnd[p]; !dup {
			t.atEnd[p] = r
		}
	}
	for p := range t.atEnd {
		h := uint32(suffixHashSeed)
		for i := len(p) - 1; i >= 0; i-- {
			h = suffixHashStep(h, p[i])
		}
		t.endHashes.add(hash16(h))
	}
	if len(t.anywhere) > 1<<16 {
		panic("dpi: too many host patterns that match anywhere")
	}
	for i, r := range t.anywhere {
		p := r.pattern
		t.anyByFirst[p[0]] = append(t.anyByFirst[p[0]], uint16(i))
		if len(p) >= 3 {
			t.any3.add(gram3(p[0], p[1], p[2]))
		} else {
			t.anyShort.add(p[0])
		}
	}
	return t
}

// match returns the rule for host (already lower case), or nil.
func (t *hostTable) match(host string) *hostRule {
	if host == "" {
		return nil
	}
	var best *hostRule
	consider := func(r *hostRule, start, end int) bool {
		if start == 0 && end == len(host) {
			best = r
			return true
		}
		// nDPI applies the label-boundary test from the second byte on.
		if start > 1 && r.boundary && !isMiddle(host[start-1]) {
			return false
		}
		if best == nil || best.level < r.level {
			best = r
		}
		return false
	}
	// Patterns that may match anywhere: every occurrence, ordered by the
	// pattern's place in the file, then by position; the first eight count.
	type hit struct {
		rule       uint16
		start, end int
	}
	var buf [8]hit
	hits := buf[:0]
	for s := 0; s < len(host); s++ {
		c := host[s]
		if len(t.anyByFirst[c]) == 0 ||
			!t.anyShort.has(c) && (s+3 > len(host) || !t.any3.has(gram3(c, host[s+1], host[s+2]))) {
			continue
		}
		for _, ri := range t.anyByFirst[c] {
			p := t.anywhere[ri].pattern
			if len(host)-s < len(p) || host[s:s+len(p)] != p {
				continue
			}
			// Insert after the hits of this and earlier patterns: those of
			// one pattern arrive by ascending position already.
			k := len(hits)
			for k > 0 && hits[k-1].rule > ri {
				k--
			}
			if k >= len(buf) {
				continue
			}
			if len(hits) < len(buf) {
				hits = hits[:len(hits)+1]
			}
			copy(hits[k+1:], hits[k:len(hits)-1])
			hits[k] = hit{ri, s, s + len(p)}
		}
	}
	for _, h := range hits {
		if consider(t.anywhere[h.rule], h.start, h.end) {
			return best
		}
	}
	// Then the patterns that end the name, shortest suffix first; on equal
	// levels the first one considered wins.
	h := uint32(suffixHashSeed)
	for i := len(host) - 1; i >= 0; i-- {
		if h = suffixHashStep(h, host[i]); !t.endHashes.has(hash16(h)) {
			continue
		}
		if r, ok := t.atEnd[host[i:]]; ok {
			if consider(r, i, len(host)) {
				return best
			}
		}
	}
	return best
}

// matchHost maps a host name to an application and category.
func matchHost(host string) (ProtoID, string, bool) {
	r := hostRules.match(lowerASCII(host))
	if r == nil {
		return ProtoUnknown, "", false
	}
	return r.app, r.category, true
}

// matchHostCategory returns the category a host-only rule gives, or "".
func matchHostCategory(host string) string {
	r := categoryRules.match(lowerASCII(host))
	if r == nil {
		return ""
	}
	return r.category
}

// lowerASCII lower-cases ASCII letters, allocating only when needed.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
