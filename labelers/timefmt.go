package labelers

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// TimeFormat is a compiled strftime-style layout for ground-truth
// timestamps. Numbers may be written without zero padding ("4/7/2017 8:54"
// parses with "%d/%m/%Y %H:%M"), a space in the layout matches one or more
// spaces or tabs, and letters are case-insensitive.
//
// Directives: %Y year (4 digits), %y year 00–99 (2000–2099), %m month,
// %d day, %H hour 0–23, %I hour 1–12, %M minute, %S second, %f fraction of
// a second (1–9 digits), %p AM or PM, %b month abbreviation (Jan), %B month
// name (January), %z offset (Z, +hh, +hhmm, +hh:mm), %T = %H:%M:%S,
// %F = %Y-%m-%d, %% a percent sign.
type TimeFormat struct {
	layout string
	items  []tfItem
	// PMBelowHour, when > 0, reads a 12-hour clock printed without AM/PM:
	// an hour below it is afternoon (+12 h). CIC-IDS2017's CSVs need 8.
	PMBelowHour int
}

type tfItem struct {
	verb byte // 0 for a literal
	lit  string
}

// ParseTimeFormat compiles a layout.
func ParseTimeFormat(layout string) (*TimeFormat, error) {
	if layout == "" {
		return nil, errors.New("empty time format")
	}
	tf := &TimeFormat{layout: layout}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			tf.items = append(tf.items, tfItem{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' {
			lit.WriteByte(c)
			continue
		}
		if i+1 >= len(layout) {
			return nil, fmt.Errorf("time format %q ends with a lone %%", layout)
		}
		i++
		v := layout[i]
		switch v {
		case '%':
			lit.WriteByte('%')
		case 'T':
			flush()
			tf.items = append(tf.items, tfItem{verb: 'H'}, tfItem{lit: ":"}, tfItem{verb: 'M'}, tfItem{lit: ":"}, tfItem{verb: 'S'})
		case 'F':
			flush()
			tf.items = append(tf.items, tfItem{verb: 'Y'}, tfItem{lit: "-"}, tfItem{verb: 'm'}, tfItem{lit: "-"}, tfItem{verb: 'd'})
		case 'Y', 'y', 'm', 'd', 'H', 'I', 'M', 'S', 'f', 'p', 'b', 'B', 'z':
			flush()
			tf.items = append(tf.items, tfItem{verb: v})
		default:
			return nil, fmt.Errorf("time format %q: unknown directive %%%c", layout, v)
		}
	}
	flush()
	seen := map[byte]bool{}
	for _, it := range tf.items {
		if it.verb == 0 {
			continue
		}
		if seen[it.verb] {
			return nil, fmt.Errorf("time format %q: %%%c appears twice", layout, it.verb)
		}
		seen[it.verb] = true
	}
	if !(seen['Y'] || seen['y']) || !(seen['m'] || seen['b'] || seen['B']) || !seen['d'] {
		return nil, fmt.Errorf("time format %q needs a year, a month and a day", layout)
	}
	if seen['H'] && seen['I'] {
		return nil, fmt.Errorf("time format %q has both %%H and %%I", layout)
	}
	return tf, nil
}

// String returns the layout.
func (tf *TimeFormat) String() string { return tf.layout }

var monthNames = [12]string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

// Parse reads s in loc (used unless the layout has %z).
func (tf *TimeFormat) Parse(s string, loc *time.Location) (time.Time, error) {
	year, month, day, hour, minute, sec, nsec := -1, -1, -1, 0, 0, 0, 0
	pm, hasPM, twelve := false, false, false
	var zone *time.Location
	pos := 0
	num := func(minD, maxD int) (int, bool) {
		start := pos
		n := 0
		for pos < len(s) && pos-start < maxD && s[pos] >= '0' && s[pos] <= '9' {
			n = n*10 + int(s[pos]-'0')
			pos++
		}
		return n, pos-start >= minD
	}
	bad := func(what string) error {
		return fmt.Errorf("time %q does not match %q: bad %s at offset %d", s, tf.layout, what, pos)
	}
	for _, it := range tf.items {
		if it.verb == 0 {
			for j := 0; j < len(it.lit); j++ {
				c := it.lit[j]
				if c == ' ' || c == '\t' {
					if pos >= len(s) || (s[pos] != ' ' && s[pos] != '\t') {
						return time.Time{}, bad("separator")
					}
					for pos < len(s) && (s[pos] == ' ' || s[pos] == '\t') {
						pos++
					}
					for j+1 < len(it.lit) && (it.lit[j+1] == ' ' || it.lit[j+1] == '\t') {
						j++
					}
					continue
				}
				if pos >= len(s) || lower(s[pos]) != lower(c) {
					return time.Time{}, bad(fmt.Sprintf("literal %q", string(c)))
				}
				pos++
			}
			continue
		}
		var ok bool
		switch it.verb {
		case 'Y':
			year, ok = num(4, 4)
		case 'y':
			year, ok = num(2, 2)
			year += 2000
		case 'm':
			month, ok = num(1, 2)
		case 'd':
			day, ok = num(1, 2)
		case 'H':
			hour, ok = num(1, 2)
		case 'I':
			hour, ok = num(1, 2)
			twelve = true
			ok = ok && hour >= 1 && hour <= 12
		case 'M':
			minute, ok = num(1, 2)
		case 'S':
			sec, ok = num(1, 2)
		case 'f':
			start := pos
			var n int
			n, ok = num(1, 9)
			for d := pos - start; d < 9; d++ {
				n *= 10
			}
			nsec = n
		case 'p':
			if pos+2 <= len(s) {
				switch strings.ToLower(s[pos : pos+2]) {
				case "am":
					ok, hasPM, pm = true, true, false
				case "pm":
					ok, hasPM, pm = true, true, true
				}
			}
			if ok {
				pos += 2
			}
		case 'b', 'B':
			for i, name := range monthNames {
				n := len(name)
				if it.verb == 'b' {
					n = 3
				}
				if pos+n <= len(s) && strings.EqualFold(s[pos:pos+n], name[:n]) {
					month, ok = i+1, true
					pos += n
					break
				}
			}
		case 'z':
			zone, ok = tf.zone(s, &pos)
		}
		if !ok {
			return time.Time{}, bad("%" + string(it.verb))
		}
	}
	if pos != len(s) {
		return time.Time{}, fmt.Errorf("time %q does not match %q: extra text %q", s, tf.layout, s[pos:])
	}
	switch {
	case hasPM:
		if !twelve && (hour < 1 || hour > 12) {
			return time.Time{}, fmt.Errorf("time %q: hour %d with AM/PM", s, hour)
		}
		hour %= 12
		if pm {
			hour += 12
		}
	case tf.PMBelowHour > 0:
		if hour < tf.PMBelowHour && hour < 12 {
			hour += 12
		}
	case twelve:
		return time.Time{}, fmt.Errorf("time format %q: %%I needs %%p (or pm_below_hour)", tf.layout)
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, fmt.Errorf("time %q: field out of range", s)
	}
	if zone != nil {
		loc = zone
	}
	if loc == nil {
		loc = time.UTC
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	if t.Day() != day && sec != 60 {
		return time.Time{}, fmt.Errorf("time %q: no such day", s)
	}
	return t, nil
}

func (tf *TimeFormat) zone(s string, pos *int) (*time.Location, bool) {
	p := *pos
	if p < len(s) && (s[p] == 'Z' || s[p] == 'z') {
		*pos = p + 1
		return time.UTC, true
	}
	if p >= len(s) || (s[p] != '+' && s[p] != '-') {
		return nil, false
	}
	sign := 1
	if s[p] == '-' {
		sign = -1
	}
	p++
	digits := func(n int) (int, bool) {
		if p+n > len(s) {
			return 0, false
		}
		v := 0
		for i := 0; i < n; i++ {
			c := s[p+i]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		p += n
		return v, true
	}
	h, ok := digits(2)
	if !ok || h > 23 {
		return nil, false
	}
	m := 0
	if p < len(s) && s[p] == ':' {
		p++
		if m, ok = digits(2); !ok {
			return nil, false
		}
	} else if p+2 <= len(s) && s[p] >= '0' && s[p] <= '9' {
		if m, ok = digits(2); !ok {
			return nil, false
		}
	}
	if m > 59 {
		return nil, false
	}
	*pos = p
	return time.FixedZone("", sign*(h*3600+m*60)), true
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
