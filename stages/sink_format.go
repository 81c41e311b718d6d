package stages

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// Text encodings shared by the CSV and JSON lines sinks. Each appends to a
// caller-owned buffer so a row is built without allocating.

// AppendPythonFloat appends f exactly as Python's repr(float) prints it, which
// is what NFStream writes into its CSV files: the shortest digits that read
// back to the same double; fixed notation with at least one fractional digit
// ("440.0") when 1e-4 <= |f| < 1e16; otherwise exponent notation with a sign
// and at least two exponent digits ("1e-05", "1.5e+16"); "nan", "inf", "-inf".
func AppendPythonFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "nan"...)
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	}
	// Python picks exponent notation from the decimal exponent of the shortest
	// digits. Comparing the double itself against 1e-4 and 1e16 is the same
	// test: both bounds are doubles whose shortest digits are "1", so no double
	// on one side of a bound can have shortest digits on the other side.
	abs := math.Abs(f)
	// Whole numbers below 2^53 (counts, means of equal sizes, a 0.0
	// deviation: most of NFStream's floats) print as the integer: every
	// integer there is a double, so no shorter digits read back to it.
	if abs < 1<<53 && f == math.Trunc(f) && !(f == 0 && math.Signbit(f)) {
		b = strconv.AppendInt(b, int64(f), 10)
		return append(b, ".0"...)
	}
	if abs != 0 && (abs < 1e-4 || abs >= 1e16) {
		// Go's shortest 'e' format already matches Python here: "1e-05",
		// "1.2345e+16", "5e-324".
		return strconv.AppendFloat(b, f, 'e', -1, 64)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	for _, c := range b[start:] {
		if c == '.' {
			return b
		}
	}
	return append(b, ".0"...)
}

// validUTF8 returns s with every byte that is not part of a valid UTF-8
// sequence replaced by U+FFFD, as encoding/json does. Strings come from
// packets and may hold anything, but pandas, DuckDB and Arrow reject invalid
// UTF-8 in text columns, so every sink writes the same replacement.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b)
}

// appendInt appends v in decimal. Most values written are counters below
// ten: those take one append, where strconv.AppendInt copies them from its
// table. (Kept small enough to be inlined.)
func appendInt(b []byte, v int64) []byte {
	if uint64(v) < 10 {
		return append(b, byte('0'+v))
	}
	return strconv.AppendInt(b, v, 10)
}

// appendPythonIntList appends l as Python prints a list of ints: "[0, 1, -1]".
func appendPythonIntList(b []byte, l []int64) []byte {
	b = append(b, '[')
	for i, v := range l {
		if i > 0 {
			b = append(b, ", "...)
		}
		if v == -1 { // SPLT's padding
			b = append(b, '-', '1')
		} else {
			b = appendInt(b, v)
		}
	}
	return append(b, ']')
}

// appendCSVString appends s as one RFC 4180 field: bare unless it contains a
// comma, a double quote, CR or LF, in which case it is wrapped in double quotes
// and each quote is doubled.
//
// NFStream instead quotes every string and escapes quotes with a backslash,
// which pandas' default parser misreads (the row shifts by one column).
// RFC 4180 reads back the same with pandas, DuckDB, Polars and Spark and, for
// every string without a quote, gives the same values as NFStream's files.
func appendCSVString(b []byte, s string) []byte {
	// Most strings (addresses, names) are plain ASCII without a special
	// byte: one pass over them decides, instead of a UTF-8 check and a
	// quote scan each.
	if csvPlain(s) {
		return append(b, s...)
	}
	s = validUTF8(s)
	if !csvNeedsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// csvPlain reports that s is ASCII without a comma, a double quote, CR or
// LF, eight bytes at a time: a byte with its high bit set shows in the
// word's high bits, and a byte equal to c leaves a zero byte in w ^ c×8,
// which the classic (v − 0x01…) &^ v & 0x80… test finds.
func csvPlain(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(v uint64) uint64 { return (v - ones) &^ v & highs }
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&highs|hasZero(w^(ones*','))|hasZero(w^(ones*'"'))|hasZero(w^(ones*'\r'))|hasZero(w^(ones*'\n')) != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c == ',' || c == '"' || c == '\r' || c == '\n' {
			return false
		}
	}
	return true
}

func csvNeedsQuotes(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	return false
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Like encoding/json, invalid
// UTF-8 becomes U+FFFD and U+2028/U+2029 are escaped so the line is also
// valid JavaScript; unlike it, <, > and & are left alone (no HTML context).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0 // s[start:i] is pending, needing no escape
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
