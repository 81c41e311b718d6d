package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Regression tests for the defects of issue 12 met in a user's first hour.

// asMain runs this test binary as nfdataset (see TestMain).
func asMain(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "NFDATASET_TEST_AS_MAIN=1")
	return cmd
}

func TestRoughEdgesHelpVersionSuggestions(t *testing.T) {
	for _, c := range []struct {
		name       string
		args       []string
		code       int
		stdout     string // substring of stdout
		stderr     string // substring of stderr
		noStderr   bool
		stdoutNone bool
	}{
		{name: "help to stdout", args: []string{"--help"}, code: 0, stdout: "commands:", noStderr: true},
		{name: "command help to stdout", args: []string{"flows", "--help"}, code: 0, stdout: "bzip2", noStderr: true},
		{name: "build help to stdout", args: []string{"build", "-h"}, code: 0, stdout: "usage: nfdataset build", noStderr: true},
		{name: "version command", args: []string{"version"}, code: 0, stdout: "base version 1 logic sha256:", noStderr: true},
		{name: "--version", args: []string{"--version"}, code: 0, stdout: "go ", noStderr: true},
		{name: "misspelt command", args: []string{"biuld"}, code: 2, stderr: `unknown command "biuld"; did you mean "build"?`, stdoutNone: true},
		{name: "misspelt flag", args: []string{"flows", "--idel-timeout", "5", ownCapture}, code: 2, stderr: "did you mean --idle-timeout?", stdoutNone: true},
		{name: "misspelt build flag", args: []string{"build", "--jbos", "2", "m.toml"}, code: 2, stderr: "did you mean --jobs?", stdoutNone: true},
		{name: "plugin message once", args: []string{"flows", "--plugin", "x", ownCapture}, code: 2, stderr: "nfdataset flows: --plugin \"x\": unknown plugin"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr %q", code, c.code, stderr)
			}
			if !strings.Contains(stdout, c.stdout) {
				t.Errorf("stdout %q lacks %q", stdout, c.stdout)
			}
			if !strings.Contains(stderr, c.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, c.stderr)
			}
			if c.noStderr && stderr != "" {
				t.Errorf("stderr %q, want nothing", stderr)
			}
			if c.stdoutNone && stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
	// The hashes version prints are those features prints.
	_, feats, _ := runCLI(t, "features", "--brief")
	_, ver, _ := runCLI(t, "version")
	for _, line := range strings.Split(strings.TrimSpace(feats), "\n") {
		f := strings.Fields(line)
		if want := f[0] + " version " + strings.TrimPrefix(f[1], "v") + " logic " + f[2]; !strings.Contains(ver, want) {
			t.Errorf("version lacks %q", want)
		}
	}
}

func TestFlowsRefusesOutputThatIsInput(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(ownCapture)
	if err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(dir, "victim.pcap")
	os.WriteFile(victim, data, 0o644)
	symlink := filepath.Join(dir, "link.csv")
	os.Symlink(victim, symlink)
	hard := filepath.Join(dir, "hard.csv")
	if err := os.Link(victim, hard); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"flows", "-o", victim, victim},
		{"flows", "--format", "csv", "-o", victim, victim},
		{"flows", "-o", symlink, victim},
		{"flows", "-o", hard, victim},
		{"flows", "-o", victim, symlink},
		{"flows", "-o", victim, ownCapture, victim},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != 2 || !strings.Contains(stderr, "refusing -o") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a refusal", args, code, stderr)
		}
	}
	if got, _ := os.ReadFile(victim); !bytes.Equal(got, data) {
		t.Fatal("the input capture was changed")
	}
}

func TestFlowsFormatFromExtension(t *testing.T) {
	dir := t.TempDir()
	magic := map[string]string{".parquet": "PAR1", ".jsonl": "{", ".csv": "id,"}
	for ext, want := range magic {
		out := filepath.Join(dir, "out"+ext)
		code, _, stderr := runCLI(t, "flows", "--n-dissections", "0", "-o", out, ownCapture)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", ext, code, stderr)
		}
		got, _ := os.ReadFile(out)
		if !bytes.HasPrefix(got, []byte(want)) {
			t.Errorf("-o out%s starts %q, want %q", ext, got[:min(8, len(got))], want)
		}
	}
	code, _, stderr := runCLI(t, "flows", "-o", filepath.Join(dir, "out.parq"), ownCapture)
	if code != 2 || !strings.Contains(stderr, `extension ".parq"`) {
		t.Errorf("unknown extension: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.parq")); err == nil {
		t.Error("an output was written for an unknown extension")
	}
	// An explicit --format wins over the extension.
	out := filepath.Join(dir, "explicit.parq")
	if code, _, stderr := runCLI(t, "flows", "--n-dissections", "0", "--format", "csv", "-o", out, ownCapture); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got, _ := os.ReadFile(out); !bytes.HasPrefix(got, []byte("id,")) {
		t.Errorf("--format csv wrote %q", got[:min(8, len(got))])
	}
}

// openPTY returns both ends of a new pseudo-terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pts: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

func itoa(n int) string { return fmtInt(n) }

func fmtInt(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return fmtInt(n/10) + string(rune('0'+n%10))
}

func TestFlowsRefusesParquetToTerminal(t *testing.T) {
	_, tty := openPTY(t)
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"flows", "--n-dissections", "0", "--format", "parquet", ownCapture}, 2},
		{[]string{"flows", "--n-dissections", "0", ownCapture}, 0}, // CSV is text: fine on a terminal
	} {
		cmd := asMain(c.args...)
		cmd.Stdout = tty
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != c.code {
			t.Errorf("%v: exit %d, want %d; stderr %q", c.args, code, c.code, stderr.String())
		}
		if c.code == 2 && !strings.Contains(stderr.String(), "terminal") {
			t.Errorf("stderr %q does not say why", stderr.String())
		}
	}
}

// TestFlowsPipesStopOnSignal: a FIFO without a writer, a FIFO whose writer
// is idle and standard input from an idle pipe each wait, and SIGINT or
// SIGTERM ends the wait with "interrupted" and exit 130.
func TestFlowsPipesStopOnSignal(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "f")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, c := range []struct {
		name  string
		setup func(cmd *exec.Cmd) (cleanup func())
		sig   syscall.Signal
	}{
		{"fifo without writer", func(cmd *exec.Cmd) func() { cmd.Args = append(cmd.Args, fifo); return func() {} }, syscall.SIGINT},
		{"fifo with idle writer", func(cmd *exec.Cmd) func() {
			w, err := os.OpenFile(fifo, os.O_RDWR, 0) // holds a writer open
			if err != nil {
				t.Fatal(err)
			}
			cmd.Args = append(cmd.Args, fifo)
			return func() { w.Close() }
		}, syscall.SIGTERM},
		{"idle stdin pipe", func(cmd *exec.Cmd) func() {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stdin = r
			cmd.Args = append(cmd.Args, "-")
			return func() { r.Close(); w.Close() }
		}, syscall.SIGINT},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := asMain("flows", "--n-dissections", "0")
			cleanup := c.setup(cmd)
			defer cleanup()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				t.Fatalf("ended before any data or signal: %v, %s", err, stderr.String())
			case <-time.After(700 * time.Millisecond):
			}
			cmd.Process.Signal(c.sig)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 10 s after %v", c.sig)
			}
			if code := cmd.ProcessState.ExitCode(); code != 130 || !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("exit %d, stderr %q; want 130 and interrupted", code, stderr.String())
			}
		})
	}
	// A pipe that does deliver a capture is metered in full.
	data, _ := os.ReadFile(ownCapture)
	wantOut, err := asMain("flows", "--n-dissections", "0", ownCapture).Output()
	if err != nil || len(wantOut) == 0 {
		t.Fatalf("flows on the file: %v", err)
	}
	want := string(wantOut)
	go func() {
		time.Sleep(300 * time.Millisecond) // the reader is already waiting
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			w.Write(data)
			w.Close()
		}
	}()
	cmd := asMain("flows", "--n-dissections", "0", fifo)
	got, err := cmd.Output()
	if err != nil || string(got) != want {
		t.Errorf("flows over a FIFO: %v; got %d bytes, want %d", err, len(got), len(want))
	}
}

func TestBuildRefusesFIFOAndInputInOutput(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "in.pcap")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	path, _ := writeTestManifest(t, strings.Replace(testManifest, "CAPTURES/*.pcap", fifo, 1))
	for _, cmd := range []string{"validate", "build"} {
		done := make(chan struct{})
		var code int
		var stderr string
		go func() { code, _, stderr = runCLI(t, cmd, path); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s hangs on a FIFO input", cmd)
		}
		if code != 2 || !strings.Contains(stderr, "m.toml:6: input[0].path: "+fifo+" is not a regular file") {
			t.Errorf("%s: exit %d, stderr %q", cmd, code, stderr)
		}
	}
	// An input inside the output folder (here through a symbolic link) is
	// refused: the build replaces that folder's files.
	out := filepath.Join(dir, "out")
	os.MkdirAll(filepath.Join(out, ".cache"), 0o755)
	data, _ := os.ReadFile(filepath.Join(bundledCaptures, "dhcp.pcap"))
	os.WriteFile(filepath.Join(out, "x.pcap"), data, 0o644)
	link := filepath.Join(dir, "link.pcap")
	os.Symlink(filepath.Join(out, "x.pcap"), link)
	m := strings.Replace(strings.Replace(testManifest, "CAPTURES/*.pcap", link, 1), `path = "OUT"`, `path = "`+out+`"`, 1)
	path, _ = writeTestManifest(t, m)
	code, _, stderr := runCLI(t, "build", path)
	if code != 2 || !strings.Contains(stderr, "is inside the output folder") {
		t.Errorf("input inside output: exit %d, stderr %q", code, stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(out, "x.pcap")); !bytes.Equal(got, data) {
		t.Error("the input inside the output folder was changed")
	}
}

func TestBuildRefusesForeignOutputFolders(t *testing.T) {
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "part-00000.parquet"), []byte("someone's data"), 0o644)
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("keep me"), 0o644)
	for _, out := range []string{"/", foreign, "ETC"} {
		m := strings.Replace(testManifest, `path = "OUT"`, `path = "`+out+`"`, 1)
		path, dir := writeTestManifest(t, m)
		if out == "ETC" {
			// ../../etc as a user writes it: relative to the manifest.
			rel, err := filepath.Rel(dir, "/etc")
			if err != nil {
				t.Fatal(err)
			}
			text, _ := os.ReadFile(path)
			os.WriteFile(path, bytes.Replace(text, []byte("ETC"), []byte(rel), 1), 0o644)
		}
		for _, cmd := range []string{"validate", "build"} {
			code, _, stderr := runCLI(t, cmd, path)
			if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "output.path: output folder") || !strings.Contains(stderr, "was not made by nfdataset") {
				t.Errorf("%s into %s: exit %d, stderr %q", cmd, out, code, stderr)
			}
		}
	}
	if got, _ := os.ReadFile(filepath.Join(foreign, "part-00000.parquet")); string(got) != "someone's data" {
		t.Error("a foreign part file was changed")
	}
	// An empty folder, and one nfdataset built, are fine.
	empty := t.TempDir()
	m := strings.Replace(testManifest, `path = "OUT"`, `path = "`+empty+`"`, 1)
	path, _ := writeTestManifest(t, m)
	for i := 0; i < 2; i++ {
		if code, _, stderr := runCLI(t, "build", path); code != 0 {
			t.Fatalf("build %d into an empty folder: exit %d: %s", i, code, stderr)
		}
	}
}
