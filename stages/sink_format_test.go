package stages

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Variables, not constants: Go folds constant arithmetic exactly, and these
// cases need the rounding of float64 operations.
var tenth, fifth, tenThousandth = 0.1, 0.2, 0.0001

// The expected strings are what CPython 3 prints for repr(x).
func TestAppendPythonFloat(t *testing.T) {
	tests := []struct {
		name string
		in   float64
		want string
	}{
		{"nfstream google_ssl mean", 80.49999999999999, "80.49999999999999"},
		{"nfstream facebook mean", 302.36842105263156, "302.36842105263156"},
		{"integral gets .0", 440.0, "440.0"},
		{"hundred", 100.0, "100.0"},
		{"negative whole", -3.0, "-3.0"},
		{"largest whole of the fast path", 1<<53 - 1, "9007199254740991.0"},
		{"2^53 takes the general path", 1 << 53, "9007199254740992.0"},
		{"whole just below 1e16", 9999999999999998, "9999999999999998.0"},
		{"zero", 0.0, "0.0"},
		{"negative zero", math.Copysign(0, -1), "-0.0"},
		{"tenth", 0.1, "0.1"},
		{"third", 1.0 / 3, "0.3333333333333333"},
		{"two thirds", 2.0 / 3, "0.6666666666666666"},
		{"classic sum", tenth + fifth, "0.30000000000000004"},
		{"negative", -1.5, "-1.5"},
		{"lower bound is fixed", 0.0001, "0.0001"},
		{"just above lower bound", 0.00012345, "0.00012345"},
		{"three ten-thousandths", tenThousandth * 3, "0.00030000000000000003"},
		{"just below lower bound", math.Nextafter(1e-4, 0), "9.999999999999999e-05"},
		{"small exponent", 1e-05, "1e-05"},
		{"small exponent digits", 1.2345e-05, "1.2345e-05"},
		{"negative small", -2.5e-07, "-2.5e-07"},
		{"smallest subnormal", 5e-324, "5e-324"},
		{"large fixed", 123456789012345.6, "123456789012345.6"},
		{"1e15 fixed", 1e15, "1000000000000000.0"},
		{"2^53", 9007199254740992.0, "9007199254740992.0"},
		{"just below upper bound", 9999999999999998.0, "9999999999999998.0"},
		{"upper bound is exponent", 1e16, "1e+16"},
		{"upper bound digits", 1.5e16, "1.5e+16"},
		{"large", 12345678901234567890.0, "1.2345678901234567e+19"},
		{"1e22", 1e22, "1e+22"},
		{"1e100", 1e100, "1e+100"},
		{"max", math.MaxFloat64, "1.7976931348623157e+308"},
		{"nan", math.NaN(), "nan"},
		{"inf", math.Inf(1), "inf"},
		{"minus inf", math.Inf(-1), "-inf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(AppendPythonFloat([]byte("x"), tt.in))
			if diff := cmp.Diff("x"+tt.want, got); diff != "" {
				t.Errorf("AppendPythonFloat(%v) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func FuzzAppendPythonFloat(f *testing.F) {
	// Seeds: both notation bounds and their neighbours, zero, a subnormal.
	for _, seed := range []float64{1e-4, math.Nextafter(1e-4, 0), 1e16, math.Nextafter(1e16, 0), 0, 5e-324, 302.36842105263156} {
		f.Add(math.Float64bits(seed))
	}
	f.Fuzz(func(t *testing.T, bits uint64) {
		x := math.Float64frombits(bits)
		text := string(AppendPythonFloat(nil, x))
		back, err := strconv.ParseFloat(text, 64)
		if math.IsNaN(x) {
			if text != "nan" {
				t.Fatalf("NaN printed as %q", text)
			}
			return
		}
		if err != nil && !math.IsInf(x, 0) {
			t.Fatalf("%q does not parse: %v", text, err)
		}
		if math.Float64bits(back) != bits && !math.IsInf(x, 0) {
			t.Fatalf("%v printed as %q reads back as %v", x, text, back)
		}
		// Python keeps a dot or an exponent on every finite float.
		if !math.IsInf(x, 0) && !containsAnyByte(text, ".e") {
			t.Fatalf("%v printed as %q: neither dot nor exponent", x, text)
		}
	})
}

func containsAnyByte(s, chars string) bool {
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(chars); j++ {
			if s[i] == chars[j] {
				return true
			}
		}
	}
	return false
}

func TestAppendCSVString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "TLS.Facebook", "TLS.Facebook"},
		{"address", "192.168.43.18", "192.168.43.18"},
		{"comma", "Mozilla/5.0 (KHTML, like Gecko)", `"Mozilla/5.0 (KHTML, like Gecko)"`},
		{"quote doubled", `say "hi"`, `"say ""hi"""`},
		{"newline", "a\nb", "\"a\nb\""},
		{"carriage return", "a\rb", "\"a\rb\""},
		{"backslash left alone", `a\b`, `a\b`},
		{"space kept bare", " a ", " a "},
		{"utf-8", "café", "café"},
		{"invalid utf-8 replaced per byte", "a\xff\xfeb", "a\ufffd\ufffdb"},
		{"truncated sequence", "caf\xc3", "caf\ufffd"},
		{"invalid utf-8 and a comma", "a,\xff", "\"a,\ufffd\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, string(appendCSVString(nil, tt.in))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendPythonIntList(t *testing.T) {
	tests := []struct {
		name string
		in   []int64
		want string
	}{
		{"nil", nil, "[]"},
		{"one", []int64{7}, "[7]"},
		{"splt", []int64{0, 1, 0, -1, -1}, "[0, 1, 0, -1, -1]"},
		{"extremes", []int64{math.MinInt64, math.MaxInt64}, "[-9223372036854775808, 9223372036854775807]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, string(appendPythonIntList(nil, tt.in))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendJSONString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", `""`},
		{"plain", "facebook.com", `"facebook.com"`},
		{"quote and backslash", `a"b\c`, `"a\"b\\c"`},
		{"named controls", "a\nb\rc\td", `"a\nb\rc\td"`},
		{"other controls", "\x00\x1f", `"\u0000\u001f"`},
		{"html left alone", "<a&b>", `"<a&b>"`},
		{"utf-8 kept", "café ☕", `"café ☕"`},
		{"invalid utf-8", "a\xffb", `"a\ufffdb"`},
		{"line separators", "a\u2028b\u2029c", `"a\u2028b\u2029c"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, string(appendJSONString(nil, tt.in))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzAppendJSONString checks that any string reads back as encoding/json
// would read back its own encoding of it.
func FuzzAppendJSONString(f *testing.F) {
	for _, seed := range []string{"", "plain", "a\"b\\c\n", "\x00\x7f", "\xff\xfe", "\u2028", "é\xc3"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ours := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(ours, &got); err != nil {
			t.Fatalf("%q encoded as %s: %v", s, ours, err)
		}
		theirs, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var want string
		if err := json.Unmarshal(theirs, &want); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%q: ours reads back %q, encoding/json's %q", s, got, want)
		}
	})
}

// FuzzCSVPlain holds the word-at-a-time test to a byte loop.
func FuzzCSVPlain(f *testing.F) {
	for _, s := range []string{"", "192.168.43.18", "TLS.Facebook", "a,b", "0123456,", "01234567\"", "caf\xc3\xa9 au lait", "\r\n", "abcdefgh\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := true
		for i := 0; i < len(s); i++ {
			if c := s[i]; c >= 0x80 || c == ',' || c == '"' || c == '\r' || c == '\n' {
				want = false
			}
		}
		if got := csvPlain(s); got != want {
			t.Fatalf("csvPlain(%q) = %v, want %v", s, got, want)
		}
	})
}

func TestAppendInt(t *testing.T) {
	for _, v := range []int64{math.MinInt64, -10, -2, -1, 0, 1, 9, 10, 99, 100, 1700000000123, math.MaxInt64} {
		if got, want := string(appendInt([]byte("x"), v)), "x"+strconv.FormatInt(v, 10); got != want {
			t.Errorf("appendInt(%d) = %q, want %q", v, got, want)
		}
	}
}
