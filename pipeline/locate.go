package pipeline

import (
	"strconv"
	"strings"
)

// lineIndex maps key paths ("input[1].path", "features.dpi.n_dissections",
// "features.plugins[1].limit") to the line where they are defined.
//
// BurntSushi/toml keeps key positions private, so after the library has
// parsed a manifest successfully (and so vouched for its syntax) we scan the
// text once more with this small, forgiving scanner that only tracks where
// keys, tables and array elements start. Anything it does not understand
// ends the scan: a missing line degrades an error message to the nearest
// known ancestor's line, never to a failure.
type lineIndex map[string]int

// line returns the line of path, or of its nearest ancestor, or 0.
func (ix lineIndex) line(path string) int {
	for path != "" {
		if n, ok := ix[path]; ok {
			return n
		}
		cut := strings.LastIndexAny(path, ".[")
		if cut < 0 {
			return 0
		}
		path = path[:cut]
	}
	return 0
}

type keyScanner struct {
	src    string
	i      int
	line   int
	ix     lineIndex
	arrays map[string]int // array-of-tables path → index of its last element
}

func indexLines(src string) lineIndex {
	s := &keyScanner{src: src, line: 1, ix: lineIndex{}, arrays: map[string]int{}}
	defer func() { _ = recover() }() // best effort: never let a scanner bug escape
	s.document()
	return s.ix
}

func (s *keyScanner) eof() bool  { return s.i >= len(s.src) }
func (s *keyScanner) peek() byte { return s.src[s.i] }

func (s *keyScanner) advance() {
	if s.src[s.i] == '\n' {
		s.line++
	}
	s.i++
}

// skip passes blanks, and newlines and comments too when nl is set.
func (s *keyScanner) skip(nl bool) {
	for !s.eof() {
		switch c := s.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			s.advance()
		case c == '\n' && nl:
			s.advance()
		case c == '#':
			for !s.eof() && s.peek() != '\n' {
				s.advance()
			}
		default:
			return
		}
	}
}

func (s *keyScanner) document() {
	table := ""
	for {
		s.skip(true)
		if s.eof() {
			return
		}
		if s.peek() == '[' {
			table = s.header()
			if table == "\x00" {
				return
			}
			continue
		}
		line := s.line
		key, ok := s.key(table)
		if !ok {
			return
		}
		s.skip(false)
		if s.eof() || s.peek() != '=' {
			return
		}
		s.advance()
		s.ix[key] = line
		if !s.value(key) {
			return
		}
	}
}

// header reads "[a.b]" or "[[a.b]]" and returns the table's path, with the
// array indices of arrays of tables; "\x00" on failure.
func (s *keyScanner) header() string {
	line := s.line
	s.advance()
	array := !s.eof() && s.peek() == '['
	if array {
		s.advance()
	}
	var pieces []string
	for {
		s.skip(false)
		p, ok := s.piece()
		if !ok {
			return "\x00"
		}
		pieces = append(pieces, p)
		s.skip(false)
		if s.eof() {
			return "\x00"
		}
		if s.peek() == '.' {
			s.advance()
			continue
		}
		break
	}
	for range 2 {
		if !s.eof() && s.peek() == ']' {
			s.advance()
		}
	}
	path := ""
	for n, p := range pieces {
		if path != "" {
			path += "."
		}
		path += p
		if n == len(pieces)-1 && array {
			idx := 0
			if last, seen := s.arrays[path]; seen {
				idx = last + 1
			}
			s.arrays[path] = idx
			if _, known := s.ix[path]; !known {
				s.ix[path] = line
			}
			path += "[" + strconv.Itoa(idx) + "]"
		} else if last, seen := s.arrays[path]; seen {
			path += "[" + strconv.Itoa(last) + "]"
		}
		if _, known := s.ix[path]; !known {
			s.ix[path] = line
		}
	}
	return path
}

// key reads a dotted key and returns its full path under table.
func (s *keyScanner) key(table string) (string, bool) {
	path := table
	for {
		s.skip(false)
		p, ok := s.piece()
		if !ok {
			return "", false
		}
		if path != "" {
			path += "."
		}
		path += p
		s.skip(false)
		if !s.eof() && s.peek() == '.' {
			s.advance()
			continue
		}
		return path, true
	}
}

// piece reads one bare or quoted key piece.
func (s *keyScanner) piece() (string, bool) {
	if s.eof() {
		return "", false
	}
	switch s.peek() {
	case '"', '\'':
		start := s.i
		q := s.peek()
		s.advance()
		for !s.eof() && s.peek() != q {
			if q == '"' && s.peek() == '\\' {
				s.advance()
			}
			s.advance()
		}
		if s.eof() {
			return "", false
		}
		s.advance()
		raw := s.src[start:s.i]
		if q == '"' {
			if u, err := strconv.Unquote(raw); err == nil {
				return u, true
			}
		}
		return raw[1 : len(raw)-1], true
	}
	start := s.i
	for !s.eof() {
		c := s.peek()
		if c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			s.advance()
			continue
		}
		break
	}
	return s.src[start:s.i], s.i > start
}

// value passes over one value, recording the keys of inline tables and the
// elements of arrays.
func (s *keyScanner) value(path string) bool {
	s.skip(false)
	if s.eof() {
		return false
	}
	switch s.peek() {
	case '{':
		s.advance()
		for {
			s.skip(true)
			if s.eof() {
				return false
			}
			if s.peek() == '}' {
				s.advance()
				return true
			}
			if s.peek() == ',' {
				s.advance()
				continue
			}
			line := s.line
			k, ok := s.key(path)
			if !ok {
				return false
			}
			s.skip(false)
			if s.eof() || s.peek() != '=' {
				return false
			}
			s.advance()
			s.ix[k] = line
			if !s.value(k) {
				return false
			}
		}
	case '[':
		s.advance()
		for idx := 0; ; {
			s.skip(true)
			if s.eof() {
				return false
			}
			switch s.peek() {
			case ']':
				s.advance()
				return true
			case ',':
				s.advance()
				idx++
				continue
			}
			elem := path + "[" + strconv.Itoa(idx) + "]"
			s.ix[elem] = s.line
			if !s.value(elem) {
				return false
			}
		}
	case '"', '\'':
		return s.str()
	}
	start := s.i
	for !s.eof() {
		switch s.peek() {
		case ',', ']', '}', '\n', '#':
			return s.i > start // an empty value: stop rather than loop
		}
		s.advance()
	}
	return true
}

// str passes over a basic, literal or multi-line string.
func (s *keyScanner) str() bool {
	q := s.peek()
	if strings.HasPrefix(s.src[s.i:], strings.Repeat(string(q), 3)) {
		s.i += 3
		end := strings.Index(s.src[s.i:], strings.Repeat(string(q), 3))
		for end > 0 && q == '"' && s.src[s.i+end-1] == '\\' {
			next := strings.Index(s.src[s.i+end+1:], `"""`)
			if next < 0 {
				return false
			}
			end += 1 + next
		}
		if end < 0 {
			return false
		}
		for range end {
			s.advance()
		}
		s.i += 3
		for !s.eof() && s.peek() == q { // up to two more quotes belong to the content
			s.advance()
		}
		return true
	}
	s.advance()
	for !s.eof() && s.peek() != q && s.peek() != '\n' {
		if q == '"' && s.peek() == '\\' {
			s.advance()
		}
		s.advance()
	}
	if s.eof() || s.peek() != q {
		return false
	}
	s.advance()
	return true
}
