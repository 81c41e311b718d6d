package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Manifest globs (docs/manifest.md, "Globs"): filepath.Match's `*`, `?` and
// `[…]` within one path element, `**` for any number of directories, and
// `{a,b}` alternatives. A name starting with a dot is matched only by a
// pattern element that starts with one, and nothing inside the output
// folder is ever matched: a build must not meter its own output, nor an
// editor's swap file, nor a .cache folder.

// maxGlobAlternatives bounds brace expansion ({a,b}{c,d}… grows fast).
const maxGlobAlternatives = 4096

// globStats counts what a glob passed over, to explain an empty match.
type globStats struct{ hidden, output int }

// expandGlob returns the regular files and other non-directories matching
// pattern, an absolute path, sorted; skip reports a path (file or folder)
// to leave out with everything under it.
func expandGlob(pattern string, skip func(string) bool) ([]string, globStats, error) {
	var st globStats
	alts, err := expandBraces(pattern)
	if err != nil {
		return nil, st, err
	}
	found := map[string]bool{}
	for _, alt := range alts {
		segs := strings.Split(filepath.ToSlash(filepath.Clean(alt)), "/")
		root := string(filepath.Separator)
		if segs[0] != "" { // not absolute: resolvePaths makes it so
			root = "."
		}
		segs = segs[1:]
		for _, s := range segs {
			if s == "**" {
				continue
			}
			if _, err := filepath.Match(s, ""); err != nil {
				return nil, st, fmt.Errorf("bad pattern element %q: %w", s, err)
			}
			if strings.Contains(s, "**") {
				return nil, st, fmt.Errorf("bad pattern element %q: ** must be a whole path element", s)
			}
		}
		walkGlob(root, segs, skip, found, &st)
	}
	out := make([]string, 0, len(found))
	for p := range found {
		out = append(out, p)
	}
	slices.Sort(out)
	return out, st, nil
}

func walkGlob(dir string, segs []string, skip func(string) bool, found map[string]bool, st *globStats) {
	seg, rest := segs[0], segs[1:]
	if seg == "**" {
		if len(rest) > 0 {
			walkGlob(dir, rest, skip, found, st) // zero directories
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if !visible(e.Name(), "", st) || skipped(p, skip, st) {
				continue
			}
			// A link to a folder is not followed: it could loop.
			if e.IsDir() {
				walkGlob(p, segs, skip, found, st)
			} else if len(rest) == 0 && !isDir(p) {
				found[p] = true
			}
		}
		return
	}
	if !strings.ContainsAny(seg, "*?[") {
		p := filepath.Join(dir, seg)
		if skipped(p, skip, st) {
			return
		}
		if len(rest) == 0 {
			if _, err := os.Lstat(p); err == nil && !isDir(p) {
				found[p] = true
			}
			return
		}
		if isDir(p) {
			walkGlob(p, rest, skip, found, st)
		}
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if ok, _ := filepath.Match(seg, name); !ok || !visible(name, seg, st) {
			continue
		}
		p := filepath.Join(dir, name)
		if skipped(p, skip, st) {
			continue
		}
		switch {
		case len(rest) > 0:
			if isDir(p) {
				walkGlob(p, rest, skip, found, st)
			}
		case !isDir(p):
			found[p] = true
		}
	}
}

// visible: a dot-name is matched only by an element that starts with a dot.
func visible(name, seg string, st *globStats) bool {
	if strings.HasPrefix(name, ".") && !strings.HasPrefix(seg, ".") {
		st.hidden++
		return false
	}
	return true
}

func skipped(p string, skip func(string) bool, st *globStats) bool {
	if skip != nil && skip(p) {
		st.output++
		return true
	}
	return false
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

// expandBraces turns a{b,c}d into abd and acd, nested braces included. As
// in the shells, a brace inside […], a lone brace and {x} without a comma
// are literal.
func expandBraces(s string) ([]string, error) {
	open := -1
	depth, inClass := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '{':
			if depth == 0 {
				open = i
			}
			depth++
		case c == '}':
			if depth == 0 {
				continue // a lone } is literal
			}
			depth--
			if depth > 0 {
				continue
			}
			var out []string
			prefix, suffix := s[:open], s[i+1:]
			alts := splitAlternatives(s[open+1 : i])
			if len(alts) == 1 {
				// {x} without a comma is literal, as in the shells;
				// braces inside it and after it still expand.
				inner, err := expandBraces(s[open+1 : i])
				if err != nil {
					return nil, err
				}
				rest, err := expandBraces(suffix)
				if err != nil {
					return nil, err
				}
				for _, in := range inner {
					for _, r := range rest {
						out = append(out, prefix+"{"+in+"}"+r)
					}
				}
				if len(out) > maxGlobAlternatives {
					return nil, fmt.Errorf("bad pattern: braces expand to more than %d patterns", maxGlobAlternatives)
				}
				return out, nil
			}
			for _, alt := range alts {
				more, err := expandBraces(prefix + alt + suffix)
				if err != nil {
					return nil, err
				}
				out = append(out, more...)
				if len(out) > maxGlobAlternatives {
					return nil, fmt.Errorf("bad pattern: braces expand to more than %d patterns", maxGlobAlternatives)
				}
			}
			return out, nil
		}
	}
	return []string{s}, nil // an unclosed { is literal
}

// splitAlternatives splits the inside of one brace pair at its top-level
// commas.
func splitAlternatives(s string) []string {
	var out []string
	depth, start, inClass := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '{':
			depth++
		case c == '}':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
