package dpi

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// certElementsByteWise is certElements as first written, testing every
// byte: the reference for the IndexByte jumps.
func certElementsByteWise(st *State, t *tlsFlow, m []byte, start, certLen int) {
	var dn [512]byte
	subject := dn[:0]
	afterValidity := false
	end := certLen - 2
	if end > len(m)-2 {
		end = len(m) - 2
	}
	for i := start; i < end; i++ {
		if m[i] == 0x55 && m[i+1] == 0x04 {
			var label string
			switch m[i+2] {
			case 0x03:
				label = "CN"
			case 0x06:
				label = "C"
			case 0x07:
				label = "L"
			case 0x08:
				label = "ST"
			case 0x0a:
				label = "O"
			case 0x0b:
				label = "OU"
			default:
				continue
			}
			if i+4 >= len(m) {
				break
			}
			n := int(m[i+4])
			if i+4+n >= len(m) {
				break
			}
			if afterValidity && printable(m[i+5:i+5+n]) {
				if len(subject) > 0 {
					subject = append(subject, ", "...)
				}
				subject = append(subject, label...)
				subject = append(subject, '=')
				v := m[i+5 : i+5+n]
				if len(v) > 63 {
					v = v[:63]
				}
				subject = append(subject, v...)
			}
			continue
		}
		if m[i] == 0x30 && m[i+1] == 0x1e && m[i+2] == 0x17 {
			afterValidity = true
			continue
		}
		if m[i] == 0x55 && m[i+1] == 0x1d && m[i+2] == 0x11 {
			i = certAltNames(st, t, m, i)
		}
	}
	if len(subject) > 0 && st.master == ProtoUnknown {
		s := string(subject)
		for _, r := range certRules {
			if strings.Contains(s, r.fragment) {
				st.SetProtocol(r.app, tlsMaster(st, t.ch.DTLS), ConfidenceDPI)
				st.category = ""
				break
			}
		}
	}
}

type certOutcome struct {
	App, Master   ProtoID
	Category      string
	SubprotoFound bool
}

func certOutcomes(b []byte, start, certLen int) (got, want certOutcome) {
	run := func(f func(*State, *tlsFlow, []byte, int, int)) certOutcome {
		st, t := new(State), new(tlsFlow)
		f(st, t, b, start, certLen)
		return certOutcome{st.app, st.master, st.category, t.subprotoFound}
	}
	return run(certElements), run(certElementsByteWise)
}

// certSample holds each pattern certElements looks for: a validity, then
// subject names (one matching a certificate rule) and an alternative name.
func certSample() []byte {
	var b []byte
	b = append(b, 0x30, 0x82, 0x01, 0x00, 0x30, 0x30, 0x55, 0x55)
	b = append(b, 0x55, 0x04, 0x03, 0x0c, 0x07)
	b = append(b, "issuer."...)
	b = append(b, 0x30, 0x1e, 0x17, 0x0d)
	b = append(b, "250101000000Z"...)
	for _, r := range certRules[:1] {
		b = append(b, 0x55, 0x04, 0x0a, 0x0c, byte(len(r.fragment)))
		b = append(b, r.fragment...)
	}
	b = append(b, 0x55, 0x04, 0x03, 0x0c, 0x0b)
	b = append(b, "example.com"...)
	b = append(b, 0x55, 0x1d, 0x11, 0x04, 0x14, 0x30, 0x12, 0x82, 0x10)
	b = append(b, "x.teamviewer.com"...)
	return append(b, 0x30, 0x55, 0x00, 0x30)
}

func TestCertElementsAgreesWithByteWise(t *testing.T) {
	b := certSample()
	for _, c := range []struct {
		name           string
		start, certLen int
	}{
		{"whole", 0, len(b)}, {"from 5", 5, len(b)}, {"short bound", 0, 40}, {"tiny", 0, 3},
		{"empty", 0, 0}, {"past end", 0, len(b) + 50}, {"start past end", len(b), len(b)},
	} {
		for cut := len(b); cut >= 0; cut -= 7 {
			got, want := certOutcomes(b[:cut], c.start, c.certLen)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s, %d bytes: (-bytewise +certElements)\n%s", c.name, cut, diff)
			}
		}
	}
}

func FuzzCertElements(f *testing.F) {
	f.Add(certSample(), 0, 1000)
	f.Add(certSample(), 3, 60)
	f.Fuzz(func(t *testing.T, b []byte, start, certLen int) {
		if start < 0 || start > len(b) {
			return
		}
		got, want := certOutcomes(b, start, certLen)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("(-bytewise +certElements)\n%s", diff)
		}
	})
}
