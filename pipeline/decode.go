package pipeline

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/nfdataset/nfdataset/features"
)

// decoder reads a decoded TOML document (map[string]any) strictly: each
// table's keys are taken one by one, and whatever is left is reported as an
// unknown key with its line. Errors accumulate so that `validate` lists
// every problem at once.
type decoder struct {
	file  string
	lines lineIndex
	errs  []error
}

func (d *decoder) errorf(key string, format string, args ...any) {
	d.errs = append(d.errs, &ManifestError{File: d.file, Line: d.lines.line(key), Key: key, Err: fmt.Errorf(format, args...)})
}

func (d *decoder) wrap(key string, err error) {
	d.errs = append(d.errs, &ManifestError{File: d.file, Line: d.lines.line(key), Key: key, Err: err})
}

func (d *decoder) err() error {
	if len(d.errs) == 0 {
		return nil
	}
	// Sort by line so the report reads top to bottom.
	sort.SliceStable(d.errs, func(i, j int) bool {
		var a, b *ManifestError
		errors.As(d.errs[i], &a)
		errors.As(d.errs[j], &b)
		return a != nil && b != nil && a.Line < b.Line && a.Line > 0
	})
	return errors.Join(d.errs...)
}

// table is one TOML table being read; used records the keys taken.
type table struct {
	d    *decoder
	path string
	m    map[string]any
	used map[string]bool
}

func (d *decoder) table(path string, m map[string]any) *table {
	return &table{d: d, path: path, m: m, used: map[string]bool{}}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (t *table) key(k string) string { return join(t.path, k) }

// get returns the raw value of k, marking it used.
func (t *table) get(k string) (any, bool) {
	t.used[k] = true
	v, ok := t.m[k]
	return v, ok
}

// done reports every key that nothing read.
func (t *table) done(known ...string) {
	var unknown []string
	for k := range t.m {
		if !t.used[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		hint := ""
		if s := closest(k, known); s != "" {
			hint = fmt.Sprintf(": did you mean %q?", s)
		} else if len(known) > 0 {
			hint = " (known keys: " + strings.Join(known, ", ") + ")"
		}
		t.d.errorf(t.key(k), "unknown key%s", hint)
	}
}

// closest returns the candidate within two edits of s, if any.
func closest(s string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := features.EditDistance(s, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// typeName names a decoded TOML value's type for error messages.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time:
		return "a date/time"
	}
	return fmt.Sprintf("%T", v)
}

func (t *table) str(k string, def string) string {
	v, ok := t.get(k)
	if !ok {
		return def
	}
	s, ok := v.(string)
	if !ok {
		t.d.errorf(t.key(k), "want a string, got %s", typeName(v))
		return def
	}
	return s
}

func (t *table) boolean(k string, def bool) bool {
	v, ok := t.get(k)
	if !ok {
		return def
	}
	b, ok := v.(bool)
	if !ok {
		t.d.errorf(t.key(k), "want true or false, got %s", typeName(v))
		return def
	}
	return b
}

// integer reads an integer within [lo, hi].
func (t *table) integer(k string, def, lo, hi int64) int64 {
	v, ok := t.get(k)
	if !ok {
		return def
	}
	n, ok := v.(int64)
	if !ok {
		t.d.errorf(t.key(k), "want an integer, got %s", typeName(v))
		return def
	}
	if n < lo || n > hi {
		t.d.errorf(t.key(k), "%s, got %d", rangeRule(n, lo, hi), n)
		return def
	}
	return n
}

// rangeRule says which bound n breaks. A range is shown whole only when
// both ends are small enough to read; a huge end (idle_timeout's
// 18446744073709551, the largest value whose milliseconds fit in 64 bits)
// is never what the user got wrong with a negative value.
func rangeRule(n, lo, hi int64) string {
	const readable = 1 << 20
	if lo > -readable && hi < readable {
		return fmt.Sprintf("must be in %d…%d", lo, hi)
	}
	if n < lo {
		return fmt.Sprintf("must be ≥ %d", lo)
	}
	return fmt.Sprintf("must be ≤ %d", hi)
}

func (t *table) strings(k string) ([]string, bool) {
	v, ok := t.get(k)
	if !ok {
		return nil, false
	}
	arr, ok := v.([]any)
	if !ok {
		t.d.errorf(t.key(k), "want an array of strings, got %s", typeName(v))
		return nil, true
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			t.d.errorf(fmt.Sprintf("%s[%d]", t.key(k), i), "want a string, got %s", typeName(e))
			continue
		}
		out = append(out, s)
	}
	return out, true
}

// sub returns the table under k, or nil when k is absent.
func (t *table) sub(k string) *table {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		if list, isTables := v.([]map[string]any); isTables {
			times := "once"
			if len(list) > 1 {
				times = fmt.Sprintf("%d times", len(list))
			}
			t.d.errorf(t.key(k), "want one [%s] table, got an array of tables: [[%s]] written %s", k, k, times)
		} else {
			t.d.errorf(t.key(k), "want a table, got %s", typeName(v))
		}
		return nil
	}
	return t.d.table(t.key(k), m)
}

// tables returns the array of tables under k ([[k]]).
func (t *table) tables(k string) []*table {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	var list []map[string]any
	switch v := v.(type) {
	case []map[string]any:
		list = v
	case []any:
		for i, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				t.d.errorf(fmt.Sprintf("%s[%d]", t.key(k), i), "want a table, got %s", typeName(e))
				continue
			}
			list = append(list, m)
		}
	default:
		t.d.errorf(t.key(k), "want an array of tables ([[%s]]), got %s", k, typeName(v))
		return nil
	}
	out := make([]*table, len(list))
	for i, m := range list {
		out[i] = t.d.table(fmt.Sprintf("%s[%d]", t.key(k), i), m)
	}
	return out
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
