package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// globTree makes files (slash-separated, relative to a fresh folder) and
// returns the folder.
func globTree(t *testing.T, files ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestExpandGlob: the glob rules of docs/manifest.md, on a tree holding
// captures, dotfiles, a dot-folder and an output folder.
func TestExpandGlob(t *testing.T) {
	root := globTree(t,
		"a.pcap", "b.pcapng", "c.txt", ".hidden.pcap",
		"mon/x.pcap", "mon/tue/y.pcap", "mon/.swap/z.pcap", ".git/w.pcap",
		"out/part.pcap", "out/.cache/k.pcap",
		"lit{x}.pcap",
	)
	out := filepath.Join(root, "out")
	skip := func(p string) bool { return inside(out, p) }
	for _, c := range []struct {
		pattern string
		want    []string
		hidden  bool // the result was narrowed by the dot rule
	}{
		{"*.pcap", []string{"a.pcap", "lit{x}.pcap"}, true},
		{"*", []string{"a.pcap", "b.pcapng", "c.txt", "lit{x}.pcap"}, true},
		{"*.{pcap,pcapng}", []string{"a.pcap", "b.pcapng", "lit{x}.pcap"}, true},
		{"[ab].{pcap,pcapng}", []string{"a.pcap", "b.pcapng"}, false},
		{"{a,c}.*", []string{"a.pcap", "c.txt"}, false},
		{"**/*.pcap", []string{"a.pcap", "lit{x}.pcap", "mon/tue/y.pcap", "mon/x.pcap"}, true},
		{"mon/**", []string{"mon/tue/y.pcap", "mon/x.pcap"}, true},
		{"**/y.pcap", []string{"mon/tue/y.pcap"}, true},
		{".*.pcap", []string{".hidden.pcap"}, false},
		{"mon/.swap/*.pcap", []string{"mon/.swap/z.pcap"}, false},
		{"out/*.pcap", nil, false},
		{"*/part.pcap", nil, false},
		{"lit[{]x}.pcap", []string{"lit{x}.pcap"}, false},
		{"lit{x}.pcap", []string{"lit{x}.pcap"}, false},
		{"lit{x,y}.pcap", nil, false},
		{"{a,b.pcapng", nil, false},
		{"{mon/tue,mon}/*.pcap", []string{"mon/tue/y.pcap", "mon/x.pcap"}, false},
	} {
		t.Run(c.pattern, func(t *testing.T) {
			got, st, err := expandGlob(filepath.Join(root, c.pattern), skip)
			if err != nil {
				t.Fatal(err)
			}
			var rel []string
			for _, p := range got {
				r, _ := filepath.Rel(root, p)
				rel = append(rel, filepath.ToSlash(r))
			}
			if d := cmp.Diff(c.want, rel); d != "" {
				t.Errorf("matches (-want +got):\n%s", d)
			}
			if c.hidden && st.hidden == 0 {
				t.Error("no dot-name counted as passed over")
			}
		})
	}
	for _, bad := range []string{"x**.pcap", "[a.pcap"} {
		if _, _, err := expandGlob(filepath.Join(root, bad), skip); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if _, _, err := expandGlob(filepath.Join(root, strings.Repeat("{a,b}", 13)), skip); err == nil {
		t.Error("2^13 brace alternatives accepted")
	}
}

// Issue 12 defect 5: a manifest glob never matches the output folder, what
// is inside it, dotfiles or dot-folders; an empty match says why.
func TestPlanGlobSkipsOutputAndDotfiles(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(captures, "dhcp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// data/out is an earlier build's folder (it holds nfdataset's .cache).
	for _, f := range []string{"a.pcap", ".a.pcap", ".old/b.pcap", "data/out/c.pcap", "data/out/.cache/e.pcap", "data/d.pcap"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plan := func(input, output string) ([]string, error) {
		text := "[dataset]\nname = \"t\"\n[[input]]\npath = \"" + input + "\"\n[output]\npath = \"" + output + "\"\n"
		path := filepath.Join(dir, "m.toml")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := MakePlan(context.Background(), m, PlanOptions{})
		if err != nil {
			return nil, err
		}
		var names []string
		for _, j := range p.Jobs {
			r, _ := filepath.Rel(dir, j.Files[0].Path)
			names = append(names, filepath.ToSlash(r))
		}
		return names, nil
	}
	got, err := plan("**/*.pcap", "data/out")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"a.pcap", "data/d.pcap"}, got); d != "" {
		t.Errorf("**/*.pcap with output data/out (-want +got):\n%s", d)
	}
	_, err = plan("data/out/*.pcap", "data/out")
	if err == nil || !strings.Contains(err.Error(), "the output folder "+filepath.Join(dir, "data/out")+" is never matched") {
		t.Errorf("glob inside the output folder: %v", err)
	}
	_, err = plan(".old/../.*.pcap", "o")
	if err != nil {
		t.Errorf("an explicit dot pattern: %v", err)
	}
}

// FuzzExpandBraces: brace expansion of any pattern text ends, never
// panics and never exceeds its bound; text without braces is unchanged.
func FuzzExpandBraces(f *testing.F) {
	for _, s := range []string{"*.{pcap,pcapng}", "{a,{b,c}}d", "lit{x}", "{", "}", "[{]{a,b}", `\{a,b}`, "{a,b}{c,d}{e,f}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := expandBraces(s)
		if err != nil {
			return
		}
		if len(out) == 0 || len(out) > maxGlobAlternatives {
			t.Fatalf("%q: %d alternatives", s, len(out))
		}
		if !strings.ContainsAny(s, "{}") && (len(out) != 1 || out[0] != s) {
			t.Fatalf("%q expanded to %q", s, out)
		}
	})
}
