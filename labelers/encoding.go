package labelers

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// cp1252 maps the bytes 0x80–0x9F of Windows-1252 to runes; the five bytes
// Windows-1252 leaves undefined become the C1 controls of the same value, as
// in the WHATWG encoding standard. Bytes from 0xA0 are Latin-1.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// decoder turns the bytes of a ground-truth file into UTF-8.
type decoder struct {
	r     *bufio.Reader
	table bool // windows-1252 (else latin-1)
	out   []byte
}

func (d *decoder) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		b, err := d.r.ReadByte()
		if err != nil {
			return 0, err
		}
		switch {
		case b < 0x80:
			d.out = append(d.out, b)
			// copy a run of ASCII at once
			for len(d.out) < 4096 {
				nb, err := d.r.Peek(1)
				if err != nil || nb[0] >= 0x80 {
					break
				}
				d.r.ReadByte()
				d.out = append(d.out, nb[0])
			}
		case d.table && b < 0xA0:
			d.out = utf8.AppendRune(d.out, cp1252[b-0x80])
		default:
			d.out = utf8.AppendRune(d.out, rune(b))
		}
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}

// NewDecoder wraps r for the named encoding. UTF-8 input passes through
// (invalid bytes are replaced later, field by field, with U+FFFD).
func NewDecoder(r io.Reader, encoding string) (io.Reader, error) {
	switch strings.ToLower(strings.ReplaceAll(encoding, "_", "-")) {
	case "", "utf-8", "utf8":
		return r, nil
	case "latin-1", "latin1", "iso-8859-1", "iso8859-1":
		return &decoder{r: bufio.NewReaderSize(r, 1<<16)}, nil
	case "windows-1252", "cp1252":
		return &decoder{r: bufio.NewReaderSize(r, 1<<16), table: true}, nil
	}
	return nil, fmt.Errorf("unknown encoding %q (utf-8, latin-1 or windows-1252)", encoding)
}
