package features

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// NFStream's JA4 plugin (nfstream/plugins/ja4.py) re-done byte for byte.
//
// It reads the hello from one packet, as a list of hex strings, with these
// consequences that we keep (ja4:spec=false, the default):
//   - only IPv4; TCP payloads, or UDP payloads to port 443/80, labelled "t";
//   - a hello must fit in one packet; fields cut short are taken as far as
//     they go;
//   - the record's second byte is checked instead of the version's;
//   - GREASE values are removed while iterating over the list, so the entry
//     after a removed one is never checked (two adjacent GREASE entries
//     leave one in place);
//   - any error after the first checks ("exception" below) is caught by the
//     plugin, which then clears the *client* fingerprint.
//
// nfstreamHello returns the fingerprint (ok) of the wanted hello type, nothing
// (not ok, no error) where NFStream's get_ja4 returns None, and an error where
// it raises.

var errJA4Exception = errors.New("NFStream's JA4 parser raises here")

// nfstreamHelloInput picks the bytes NFStream parses: get_protocol.
func nfstreamHelloInput(ipVersion uint8, ipPacket []byte) (payload []byte, none bool, err error) {
	if ipVersion != 4 {
		return nil, true, nil
	}
	proto, l4, fragment, err := dpktIPv4(ipPacket)
	if err != nil {
		return nil, false, errJA4Exception
	}
	switch proto {
	case 6:
		// ip.tcp exists only when dpkt decoded the TCP header.
		if fragment || len(l4) < 20 {
			return nil, false, errJA4Exception
		}
		headerLen := int(l4[12]>>4) * 4
		if headerLen < 20 {
			return nil, false, errJA4Exception
		}
		return l4[min(headerLen, len(l4)):], false, nil
	case 17:
		if fragment || len(l4) < 8 {
			return nil, false, errJA4Exception
		}
		if port := int(l4[2])<<8 | int(l4[3]); port == 443 || port == 80 {
			return l4[8:], false, nil
		}
		// get_protocol falls off its if/elif and returns None, which the
		// caller cannot unpack.
		return nil, false, errJA4Exception
	}
	return nil, true, nil
}

// byteReader takes fields off the front like make_entry: short reads give
// what is left.
type byteReader struct{ b []byte }

func (r *byteReader) take(n int) []byte {
	k := min(n, len(r.b))
	out := r.b[:k]
	r.b = r.b[k:]
	return out
}

// takeSized reads a field whose length is the big-endian value of lenField;
// present is false for NFStream's None (empty length field or length 0).
func (r *byteReader) takeSized(lenField []byte) (field []byte, present bool) {
	n := 0
	for _, c := range lenField {
		n = n<<8 | int(c)
	}
	if len(lenField) == 0 || n == 0 {
		return nil, false
	}
	return r.take(n), true
}

// hexList splits b into 2-byte entries as 4-digit hex strings; a final
// single byte gives a 2-digit entry, as NFStream's slicing does.
func hexList(b []byte) []string {
	out := make([]string, 0, (len(b)+1)/2)
	for i := 0; i < len(b); i += 2 {
		out = append(out, hex.EncodeToString(b[i:min(i+2, len(b))]))
	}
	return out
}

// nfstreamIsGREASE is is_grease; an entry that is not 4 hex digits fails its
// assertion.
func nfstreamIsGREASE(s string) (bool, error) {
	if len(s) != 4 {
		return false, errJA4Exception
	}
	return s[0] == s[2] && s[1] == s[3] && s[1] == 'a', nil
}

// nfstreamRemoveGREASE is remove_grease: deleting while enumerating skips
// the entry that follows each deleted one.
func nfstreamRemoveGREASE(list []string) ([]string, error) {
	for i := 0; i < len(list); i++ {
		g, err := nfstreamIsGREASE(list[i])
		if err != nil {
			return nil, err
		}
		if g {
			list = slices.Delete(list, i, i+1)
		}
	}
	return list, nil
}

// nfstreamCount is get_nongrease_num: non-GREASE entries, counting stops
// at 99.
func nfstreamCount(list []string) (string, error) {
	n := 0
	for _, s := range list {
		g, err := nfstreamIsGREASE(s)
		if err != nil {
			return "", err
		}
		if !g {
			n++
		}
		if n == 99 {
			break
		}
	}
	if n < 10 {
		return "0" + strconv.Itoa(n), nil
	}
	return strconv.Itoa(n), nil
}

func hexValue(s string) *big.Int {
	v, _ := new(big.Int).SetString(s, 16)
	if v == nil {
		return new(big.Int)
	}
	return v
}

func sortByHexValue(list []string) {
	slices.SortStableFunc(list, func(a, b string) int { return hexValue(a).Cmp(hexValue(b)) })
}

// nfstreamExtensions is make_extensions_dict: types in first-seen order,
// the data of the last occurrence.
type nfstreamExtensions struct {
	order []string
	data  map[string][]byte
}

func (e *nfstreamExtensions) has(t string) bool { _, ok := e.data[t]; return ok }

func nfstreamParseExtensions(b []byte, present bool) (nfstreamExtensions, error) {
	ext := nfstreamExtensions{data: map[string][]byte{}}
	if !present || len(b) == 0 {
		return ext, nil
	}
	r := byteReader{b}
	for len(r.b) > 0 {
		typ := hex.EncodeToString(r.take(2))
		lenField := r.take(2)
		var data []byte
		if !(len(lenField) == 2 && lenField[0] == 0 && lenField[1] == 0) {
			if len(lenField) == 0 {
				return ext, errJA4Exception // int("", 16)
			}
			n := 0
			for _, c := range lenField {
				n = n<<8 | int(c)
			}
			data = r.take(n)
		}
		if !ext.has(typ) {
			ext.order = append(ext.order, typ)
		}
		ext.data[typ] = data
	}
	return ext, nil
}

// nfstreamLengthPrefixed reads a list whose first lenBytes give its length
// and asserts it matches the rest (make_supported_list, make_alpn_list,
// make_signaturealgs_list). Absent or empty data raise.
func nfstreamLengthPrefixed(data []byte, lenBytes int) ([]byte, error) {
	r := byteReader{data}
	lenField := r.take(lenBytes)
	if len(lenField) == 0 {
		return nil, errJA4Exception
	}
	n := 0
	for _, c := range lenField {
		n = n<<8 | int(c)
	}
	if len(r.b) != n {
		return nil, errJA4Exception
	}
	return r.b, nil
}

// nfstreamVersionDigits is the tail of get_tls_version: first byte − 2 and
// the rest − 1, printed in decimal.
func nfstreamVersionDigits(v string) (string, error) {
	if len(v) < 3 {
		return "", errJA4Exception
	}
	first := new(big.Int).Sub(hexValue(v[:2]), big.NewInt(2))
	second := new(big.Int).Sub(hexValue(v[2:]), big.NewInt(1))
	return first.String() + second.String(), nil
}

func sha12(s string) string {
	if s == "" {
		return "000000000000"
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

// nfstreamHello is get_ja4 on one transport payload; want is 1 (client) or
// 2 (server).
func nfstreamHello(payload []byte, want byte) (fp string, ok bool, err error) {
	r := byteReader{payload}
	record, handshake, version := r.take(5), r.take(4), r.take(2)
	if len(record) < 2 || record[0] != 0x16 || record[1] != 0x03 {
		return "", false, nil
	}
	if len(handshake) == 0 {
		return "", false, errJA4Exception
	}
	helloType := handshake[0]
	if helloType != 1 && helloType != 2 {
		return "", false, nil
	}
	if len(version) == 0 {
		return "", false, errJA4Exception
	}
	if version[0] != 3 || helloType != want {
		return "", false, nil
	}
	// The rest raises instead of returning None.
	r.take(32) // random
	sessionIDLen := r.take(1)
	r.takeSized(sessionIDLen)
	var ciphers []string
	var ciphersPresent bool
	var serverCipher []byte
	if want == 1 {
		var cs []byte
		cs, ciphersPresent = r.takeSized(r.take(2))
		ciphers = hexList(cs)
		r.takeSized(r.take(1)) // compression methods
	} else {
		serverCipher = r.take(2)
		r.take(1)
	}
	extBytes, extPresent := r.takeSized(r.take(2))
	ext, err := nfstreamParseExtensions(extBytes, extPresent)
	if err != nil {
		return "", false, err
	}

	var a strings.Builder
	a.WriteByte('t')
	// get_tls_version
	var v string
	switch {
	case ext.has("002b") && want == 1:
		list, err := nfstreamLengthPrefixed(ext.data["002b"], 1)
		if err != nil {
			return "", false, err
		}
		versions, err := nfstreamRemoveGREASE(hexList(list))
		if err != nil {
			return "", false, err
		}
		if len(versions) == 0 {
			return "", false, errJA4Exception
		}
		sortByHexValue(versions)
		v = versions[len(versions)-1]
	case ext.has("002b"):
		v = hex.EncodeToString(ext.data["002b"])
	default:
		v = hex.EncodeToString(version)
	}
	digits, err := nfstreamVersionDigits(v)
	if err != nil {
		return "", false, err
	}
	a.WriteString(digits)
	if want == 1 {
		if ext.has("0000") {
			a.WriteByte('d')
		} else {
			a.WriteByte('i')
		}
		if !ciphersPresent {
			return "", false, errJA4Exception // len(None)
		}
		n, err := nfstreamCount(ciphers)
		if err != nil {
			return "", false, err
		}
		a.WriteString(n)
	}
	n, err := nfstreamCount(ext.order)
	if err != nil {
		return "", false, err
	}
	a.WriteString(n)
	alpn, err := nfstreamALPN(ext)
	if err != nil {
		return "", false, err
	}
	a.WriteString(alpn)

	var b string
	if want == 2 {
		b = hex.EncodeToString(serverCipher)
	} else {
		list, err := nfstreamRemoveGREASE(ciphers)
		if err != nil {
			return "", false, err
		}
		sortByHexValue(list)
		b = sha12(strings.Join(list, ","))
	}

	types := slices.Clone(ext.order)
	if want == 1 {
		if types, err = nfstreamRemoveGREASE(types); err != nil {
			return "", false, err
		}
		for _, drop := range []string{"0000", "0010"} {
			if ext.has(drop) {
				i := slices.Index(types, drop)
				if i < 0 {
					return "", false, errJA4Exception // list.remove
				}
				types = slices.Delete(types, i, i+1)
			}
		}
		sortByHexValue(types)
	}
	c := strings.Join(types, ",")
	if want == 1 && ext.has("000d") {
		list, err := nfstreamLengthPrefixed(ext.data["000d"], 2)
		if err != nil {
			return "", false, err
		}
		if algs := hexList(list); len(algs) > 0 {
			if algs, err = nfstreamRemoveGREASE(algs); err != nil {
				return "", false, err
			}
			c += "_" + strings.Join(algs, ",")
		}
	}
	return strings.ToLower(a.String() + "_" + b + "_" + sha12(c)), true, nil
}

// nfstreamALPN is get_alpn_value: first and last character of the first
// protocol, decoded as strict UTF-8.
func nfstreamALPN(ext nfstreamExtensions) (string, error) {
	if !ext.has("0010") {
		return "00", nil
	}
	list, err := nfstreamLengthPrefixed(ext.data["0010"], 2)
	if err != nil {
		return "", err
	}
	if len(list) == 0 {
		return "00", nil
	}
	r := byteReader{list}
	first := r.take(int(r.take(1)[0]))
	if !utf8.Valid(first) || len(first) == 0 {
		return "", errJA4Exception
	}
	runes := []rune(string(first))
	return string(runes[0]) + string(runes[len(runes)-1]), nil
}
