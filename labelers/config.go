package labelers

import (
	"fmt"
	"math"
	"net/netip"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is one decoded table ([[label]] or a nested [[label.rule]]) being
// read by a labeler's New. Each getter marks its key as used; Done reports
// the first key nobody read. Errors are *Error values naming the key.
type Config struct {
	// Column and Default are the common keys, already read by Build.
	Column  string
	Default string
	// Dir is the manifest's directory, for relative paths.
	Dir string

	prefix string
	line   int
	data   map[string]any
	used   map[string]bool
}

// Errorf returns an *Error for key (relative to this table).
func (c *Config) Errorf(key, format string, args ...any) error {
	k := c.prefix
	if key != "" {
		k += "." + key
	}
	return &Error{Line: c.line, Key: k, Err: fmt.Errorf(format, args...)}
}

// Has reports whether the key is present.
func (c *Config) Has(key string) bool {
	_, ok := c.data[key]
	return ok
}

func (c *Config) get(key string) (any, bool) {
	c.used[key] = true
	v, ok := c.data[key]
	return v, ok
}

// Done fails on the first key (in sorted order) no getter read.
func (c *Config) Done() error {
	var unknown []string
	for k := range c.data {
		if !c.used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return c.Errorf(unknown[0], "unknown key")
}

// String reads a string key.
func (c *Config) String(key, def string) (string, error) {
	v, ok := c.get(key)
	if !ok {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", c.Errorf(key, "want a string, got %s", describe(v))
	}
	return s, nil
}

// OptString reads a string key and reports whether it was present.
func (c *Config) OptString(key string) (string, bool, error) {
	if !c.Has(key) {
		c.used[key] = true
		return "", false, nil
	}
	s, err := c.String(key, "")
	return s, err == nil, err
}

// Bool reads a boolean key.
func (c *Config) Bool(key string, def bool) (bool, error) {
	v, ok := c.get(key)
	if !ok {
		return def, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, c.Errorf(key, "want true or false, got %s", describe(v))
	}
	return b, nil
}

// Int reads an integer key; ok is false when it is absent.
func (c *Config) Int(key string) (n int64, ok bool, err error) {
	v, present := c.get(key)
	if !present {
		return 0, false, nil
	}
	n, good := toInt(v)
	if !good {
		return 0, false, c.Errorf(key, "want an integer, got %s", describe(v))
	}
	return n, true, nil
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	}
	return 0, false
}

// Strings reads a string or a list of strings.
func (c *Config) Strings(key string) ([]string, error) {
	v, ok := c.get(key)
	if !ok {
		return nil, nil
	}
	var out []string
	for _, item := range asList(v) {
		s, ok := item.(string)
		if !ok {
			return nil, c.Errorf(key, "want a string or a list of strings, got %s", describe(item))
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, c.Errorf(key, "empty list")
	}
	return out, nil
}

// Path reads a file path, resolved against the manifest directory.
func (c *Config) Path(key string) (string, error) {
	p, err := c.String(key, "")
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", c.Errorf(key, "missing")
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(c.Dir, p)
	}
	return p, nil
}

// Duration reads a Go duration string ("2m", "90s", "1.5s") or a number of
// seconds.
func (c *Config) Duration(key string, def time.Duration) (time.Duration, error) {
	v, ok := c.get(key)
	if !ok {
		return def, nil
	}
	switch x := v.(type) {
	case string:
		d, err := time.ParseDuration(x)
		if err != nil {
			return 0, c.Errorf(key, "want a duration such as \"2m\" or \"30s\": %v", err)
		}
		if d < 0 {
			return 0, c.Errorf(key, "negative duration %s", x)
		}
		return d, nil
	case int64, float64:
		f := float64(0)
		if n, ok := x.(int64); ok {
			f = float64(n)
		} else {
			f = x.(float64)
		}
		if f < 0 || f > 1e9 {
			return 0, c.Errorf(key, "duration out of range: %v s", f)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	return 0, c.Errorf(key, "want a duration string such as \"2m\", got %s", describe(v))
}

// Time reads an RFC 3339 time with an offset ("2017-07-04T09:20:00-03:00",
// fractional seconds allowed), as a string or a TOML offset date-time.
func (c *Config) Time(key string) (time.Time, bool, error) {
	v, ok := c.get(key)
	if !ok {
		return time.Time{}, false, nil
	}
	switch x := v.(type) {
	case string:
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(x))
		if err != nil {
			return time.Time{}, false, c.Errorf(key, "want an RFC 3339 time with an offset such as \"2017-07-04T09:20:00-03:00\": %v", err)
		}
		return t, true, nil
	case time.Time:
		if strings.HasSuffix(x.Location().String(), "-local") {
			return time.Time{}, false, c.Errorf(key, "a local date-time has no offset: write e.g. \"2017-07-04T09:20:00-03:00\"")
		}
		return x, true, nil
	}
	return time.Time{}, false, c.Errorf(key, "want an RFC 3339 time string, got %s", describe(v))
}

// Tables reads a list of nested tables ([[label.rule]]) as Configs whose
// errors carry the prefix "label[i].key[j]".
func (c *Config) Tables(key string) ([]*Config, error) {
	v, ok := c.get(key)
	if !ok {
		return nil, nil
	}
	var maps []map[string]any
	switch x := v.(type) {
	case []map[string]any:
		maps = x
	case []any:
		for _, item := range x {
			m, ok := item.(map[string]any)
			if !ok {
				return nil, c.Errorf(key, "want a list of tables ([[%s.%s]]), got %s", c.prefix, key, describe(item))
			}
			maps = append(maps, m)
		}
	case map[string]any:
		return nil, c.Errorf(key, "want a list of tables: write [[label.%s]], not [label.%s]", key, key)
	default:
		return nil, c.Errorf(key, "want a list of tables, got %s", describe(v))
	}
	out := make([]*Config, len(maps))
	for i, m := range maps {
		out[i] = &Config{prefix: fmt.Sprintf("%s.%s[%d]", c.prefix, key, i), line: c.line, data: m, used: map[string]bool{}, Dir: c.Dir}
	}
	return out, nil
}

// Map reads an inline table of strings (map = { "a" = "b" }).
func (c *Config) Map(key string) (map[string]string, error) {
	v, ok := c.get(key)
	if !ok {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, c.Errorf(key, "want a table of strings, got %s", describe(v))
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		s, ok := x.(string)
		if !ok {
			return nil, c.Errorf(key+"."+strconv.Quote(k), "want a string, got %s", describe(x))
		}
		out[k] = s
	}
	return out, nil
}

func asList(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case []int64:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return []any{v}
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return "string " + strconv.Quote(x)
	case int64, int:
		return fmt.Sprintf("integer %d", x)
	case float64:
		return fmt.Sprintf("float %v", x)
	case bool:
		return fmt.Sprintf("boolean %v", x)
	case time.Time:
		return "date-time " + x.String()
	case []any, []map[string]any:
		return "a list"
	case map[string]any:
		return "a table"
	case nil:
		return "nothing"
	}
	return fmt.Sprintf("%T", v)
}

// ---- shared value parsers ----

// parsePrefixes reads addresses or CIDR prefixes.
func parsePrefixes(c *Config, key string) ([]netip.Prefix, error) {
	items, err := c.Strings(key)
	if err != nil || items == nil {
		return nil, err
	}
	out := make([]netip.Prefix, 0, len(items))
	for _, s := range items {
		s = strings.TrimSpace(s)
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, c.Errorf(key, "%q is not an address or CIDR prefix: %v", s, err)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, c.Errorf(key, "%q is not an address or CIDR prefix: %v", s, err)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

type portRange struct{ lo, hi uint16 }

// parsePorts reads a port, a "from-to" range, or a list of either.
func parsePorts(c *Config, key string) ([]portRange, error) {
	v, ok := c.get(key)
	if !ok {
		return nil, nil
	}
	var out []portRange
	for _, item := range asList(v) {
		switch x := item.(type) {
		case string:
			lo, hi, found := strings.Cut(strings.TrimSpace(x), "-")
			if !found {
				hi = lo
			}
			a, err1 := strconv.ParseUint(strings.TrimSpace(lo), 10, 16)
			b, err2 := strconv.ParseUint(strings.TrimSpace(hi), 10, 16)
			if err1 != nil || err2 != nil || a > b {
				return nil, c.Errorf(key, "%q is not a port or a range such as \"1024-65535\"", x)
			}
			out = append(out, portRange{uint16(a), uint16(b)})
		default:
			n, good := toInt(item)
			if !good || n < 0 || n > 65535 {
				return nil, c.Errorf(key, "want a port 0–65535, a \"from-to\" range or a list, got %s", describe(item))
			}
			out = append(out, portRange{uint16(n), uint16(n)})
		}
	}
	if len(out) == 0 {
		return nil, c.Errorf(key, "empty list")
	}
	return out, nil
}

// protocolNames are the IANA names accepted for protocol.
var protocolNames = map[string]uint8{
	"hopopt": 0, "icmp": 1, "igmp": 2, "ipip": 4, "ipv4": 4, "tcp": 6, "egp": 8, "igp": 9, "udp": 17,
	"ipv6": 41, "rsvp": 46, "gre": 47, "esp": 50, "ah": 51, "icmpv6": 58, "ipv6-icmp": 58,
	"eigrp": 88, "ospf": 89, "ospfigp": 89, "pim": 103, "vrrp": 112, "l2tp": 115, "sctp": 132, "udplite": 136,
}

// ParseProtocol reads an IP protocol number or name (case-insensitive).
func ParseProtocol(s string) (uint8, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseUint(s, 10, 8); err == nil {
		return uint8(n), nil
	}
	if p, ok := protocolNames[strings.ToLower(s)]; ok {
		return p, nil
	}
	return 0, fmt.Errorf("unknown protocol %q (a number 0–255 or a name such as tcp, udp, icmp)", s)
}

// parseProtocols reads a protocol number or name, or a list of them.
func parseProtocols(c *Config, key string) ([]uint8, error) {
	v, ok := c.get(key)
	if !ok {
		return nil, nil
	}
	var out []uint8
	for _, item := range asList(v) {
		switch x := item.(type) {
		case string:
			p, err := ParseProtocol(x)
			if err != nil {
				return nil, c.Errorf(key, "%v", err)
			}
			out = append(out, p)
		default:
			n, good := toInt(item)
			if !good || n < 0 || n > 255 {
				return nil, c.Errorf(key, "want a protocol number 0–255 or a name, got %s", describe(item))
			}
			out = append(out, uint8(n))
		}
	}
	if len(out) == 0 {
		return nil, c.Errorf(key, "empty list")
	}
	return out, nil
}
