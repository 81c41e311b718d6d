package bpf

import (
	"strconv"
	"unicode/utf8"
)

type tokenKind uint8

const (
	tokEOF    tokenKind = iota
	tokWord             // keyword, number, address, name or port range
	tokLParen           // (
	tokRParen           // )
	tokNot              // !
	tokAnd              // &&
	tokOr               // ||
	tokSlash            // /
	tokOther            // operators and brackets of relations: [ ] : < > = <= >= == != << >> + - * & | ^ %
)

type token struct {
	kind    tokenKind
	text    string // the word without its escaping backslash, or the punctuation
	offset  int    // byte offset in the expression
	escaped bool   // written as \word: never a keyword (libpcap's escape for "proto \tcp")
}

// isWordByte reports whether c can be part of a word. It covers libpcap's
// identifiers, numbers, dotted IPv4 and IPv6 literals and "A-B" port ranges.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == ':' || c == '-'
}

// lex splits expr into tokens. It never fails: characters it does not know
// become tokOther tokens and the parser reports them with their offset.
func lex(expr string) []token {
	var toks []token
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, token{kind: tokLParen, text: "(", offset: i})
			i++
		case c == ')':
			toks = append(toks, token{kind: tokRParen, text: ")", offset: i})
			i++
		case c == '/':
			toks = append(toks, token{kind: tokSlash, text: "/", offset: i})
			i++
		case c == '!' && (i+1 >= len(expr) || expr[i+1] != '='):
			toks = append(toks, token{kind: tokNot, text: "!", offset: i})
			i++
		case c == '&' && i+1 < len(expr) && expr[i+1] == '&':
			toks = append(toks, token{kind: tokAnd, text: "&&", offset: i})
			i += 2
		case c == '|' && i+1 < len(expr) && expr[i+1] == '|':
			toks = append(toks, token{kind: tokOr, text: "||", offset: i})
			i += 2
		case c == '\\' && i+1 < len(expr) && isWordByte(expr[i+1]):
			j := i + 1
			for j < len(expr) && isWordByte(expr[j]) {
				j++
			}
			toks = append(toks, token{kind: tokWord, text: expr[i+1 : j], offset: i, escaped: true})
			i = j
		case isWordByte(c) && c != '-':
			j := i
			for j < len(expr) && isWordByte(expr[j]) {
				j++
			}
			toks = append(toks, token{kind: tokWord, text: expr[i:j], offset: i})
			i = j
		default:
			// One token per unknown character, or per "!=", keeps offsets exact.
			n := 1
			if c == '!' {
				n = 2
			} else if i+1 < len(expr) && (c == '<' || c == '>' || c == '=') &&
				(expr[i+1] == '=' || c != '=' && expr[i+1] == c) {
				n = 2 // <= >= == << >>
			} else if c >= 0x80 {
				_, n = utf8.DecodeRuneInString(expr[i:])
			}
			toks = append(toks, token{kind: tokOther, text: expr[i : i+n], offset: i})
			i += n
		}
	}
	toks = append(toks, token{kind: tokEOF, offset: len(expr)})
	return toks
}

// describe renders a token for an error message.
func (t token) describe() string {
	if t.kind == tokEOF {
		return "end of expression"
	}
	text := t.text
	if t.escaped {
		text = `\` + text
	}
	// Words and punctuation are printable ASCII: quote them as written,
	// without Go escaping of a backslash.
	for i := 0; i < len(text); i++ {
		if text[i] < 0x20 || text[i] >= 0x7f || text[i] == '"' {
			return strconv.Quote(text)
		}
	}
	return `"` + text + `"`
}
