package stages

import (
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sinkDirEntries lists the names in dir, hidden temporary files included.
func sinkDirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func writeOutputString(t *testing.T, out *Output, s string) {
	t.Helper()
	if _, err := out.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func TestOutputRegularFile(t *testing.T) {
	tests := []struct {
		name     string
		existing string // content before the run; "" means no file
		commit   bool
		want     []string // directory after the run
		content  string   // of out.csv after the run
	}{
		{name: "new file committed", commit: true, want: []string{"out.csv"}, content: "new"},
		{name: "new file aborted", commit: false, want: []string{}},
		{name: "existing file replaced", existing: "old", commit: true, want: []string{"out.csv"}, content: "new"},
		{name: "existing file kept on abort", existing: "old", commit: false, want: []string{"out.csv"}, content: "old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.csv")
			if tt.existing != "" {
				if err := os.WriteFile(path, []byte(tt.existing), 0o640); err != nil {
					t.Fatal(err)
				}
			}
			out, err := CreateOutput(path)
			if err != nil {
				t.Fatal(err)
			}
			writeOutputString(t, out, "new")
			// Until Commit, the only new entry is a hidden temporary file.
			during := sinkDirEntries(t, dir)
			if tt.existing == "" && (len(during) != 1 || !strings.HasPrefix(during[0], ".out.csv.tmp-")) {
				t.Errorf("while writing: directory holds %q, want one .out.csv.tmp-* file", during)
			}
			if tt.commit {
				err = out.Commit()
			} else {
				err = out.Abort()
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, sinkDirEntries(t, dir)); diff != "" {
				t.Errorf("directory (-want +got):\n%s", diff)
			}
			if tt.content != "" {
				got, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != tt.content {
					t.Errorf("content %q, want %q", got, tt.content)
				}
			}
			// The usual deferred Abort after Commit must do nothing.
			if err := out.Abort(); err != nil {
				t.Errorf("Abort after close: %v", err)
			}
			if tt.commit && len(sinkDirEntries(t, dir)) != 1 {
				t.Errorf("Abort after Commit removed or added files: %q", sinkDirEntries(t, dir))
			}
		})
	}
}

func TestOutputKeepsModeOfReplacedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := CreateOutput(path)
	if err != nil {
		t.Fatal(err)
	}
	writeOutputString(t, out, "new")
	if err := out.Commit(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600 like the file it replaced", info.Mode().Perm())
	}
}

func TestOutputThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.csv")
	link := filepath.Join(dir, "link.csv")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.csv", link); err != nil {
		t.Fatal(err)
	}
	out, err := CreateOutput(link)
	if err != nil {
		t.Fatal(err)
	}
	writeOutputString(t, out, "new")
	if err := out.Commit(); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("link was replaced (%v, %v)", info.Mode(), err)
	}
	if got, _ := os.ReadFile(target); string(got) != "new" {
		t.Errorf("target holds %q, want new content", got)
	}
}

func TestOutputErrorsNamePath(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
	}{
		{"directory", dir},
		{"missing parent", filepath.Join(dir, "no", "such", "out.csv")},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := CreateOutput(tt.path)
			if err == nil {
				out.Abort()
				t.Fatalf("CreateOutput(%q) succeeded", tt.path)
			}
			if !strings.Contains(err.Error(), tt.path) || !strings.HasPrefix(err.Error(), "output ") {
				t.Errorf("error %q does not name %q", err, tt.path)
			}
		})
	}
}

// A rename that fails (here: something made the final name a non-empty
// directory meanwhile) must leave no temporary file and name the path.
func TestOutputFailedCommitLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	out, err := CreateOutput(path)
	if err != nil {
		t.Fatal(err)
	}
	writeOutputString(t, out, "data")
	if err := os.MkdirAll(filepath.Join(path, "blocker"), 0o755); err != nil {
		t.Fatal(err)
	}
	err = out.Commit()
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Commit = %v, want an error naming %s", err, path)
	}
	if diff := cmp.Diff([]string{"out.csv"}, sinkDirEntries(t, dir)); diff != "" {
		t.Errorf("directory (-want +got):\n%s", diff)
	}
}

func TestOutputWriteAfterCommit(t *testing.T) {
	out, err := CreateOutput(filepath.Join(t.TempDir(), "out.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := out.Write([]byte("x")); err == nil {
		t.Error("Write after Commit succeeded")
	}
	if err := out.Commit(); err == nil {
		t.Error("second Commit succeeded")
	}
}

// /dev/null must be written in place: a temporary file next to it and a
// rename would replace the device with a regular file (as root, nothing
// stops that).
func TestOutputDevNullStaysDevice(t *testing.T) {
	const devNull = "/dev/null"
	before, err := os.Stat(devNull)
	if err != nil || before.Mode()&fs.ModeCharDevice == 0 {
		t.Skipf("no character device at %s", devNull)
	}
	for _, commit := range []bool{true, false} {
		out, err := CreateOutput(devNull)
		if err != nil {
			t.Fatal(err)
		}
		writeOutputString(t, out, strings.Repeat("x", 3*outputBufferSize))
		if commit {
			err = out.Commit()
		} else {
			err = out.Abort()
		}
		if err != nil {
			t.Fatal(err)
		}
		after, err := os.Stat(devNull)
		if err != nil {
			t.Fatal(err)
		}
		if after.Mode() != before.Mode() || after.Mode()&fs.ModeCharDevice == 0 {
			t.Fatalf("commit=%v: %s is now %v, was %v", commit, devNull, after.Mode(), before.Mode())
		}
	}
	if os.Geteuid() != 0 {
		t.Log("not root: a rename over /dev/null would have failed anyway")
	}
}

func TestOutputFIFOWrittenDirectly(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		// Opening the read end unblocks CreateOutput's open of the write end.
		f, err := os.Open(fifo)
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		if err != nil {
			got <- "read: " + err.Error()
			return
		}
		got <- string(b)
	}()
	out, err := CreateOutput(fifo)
	if err != nil {
		t.Fatal(err)
	}
	writeOutputString(t, out, "through the pipe\n")
	if err := out.Commit(); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through the pipe\n" {
		t.Errorf("reader got %q", s)
	}
	if diff := cmp.Diff([]string{"pipe"}, sinkDirEntries(t, dir)); diff != "" {
		t.Errorf("directory (-want +got):\n%s", diff)
	}
	if info, err := os.Stat(fifo); err != nil || info.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("%s is no longer a FIFO: %v %v", fifo, info.Mode(), err)
	}
}

func TestOutputUnixSocket(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("unix socket: %v", err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			got <- "accept: " + err.Error()
			return
		}
		defer conn.Close()
		b, _ := io.ReadAll(conn)
		got <- string(b)
	}()
	out, err := CreateOutput(sock)
	if err != nil {
		t.Fatal(err)
	}
	writeOutputString(t, out, "over the socket\n")
	if err := out.Commit(); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "over the socket\n" {
		t.Errorf("listener got %q", s)
	}
	if info, err := os.Stat(sock); err != nil || info.Mode()&fs.ModeSocket == 0 {
		t.Errorf("%s is no longer a socket: %v", sock, err)
	}
}

// Standard output is flushed by Commit but stays open for the program.
func TestOutputStdoutStaysOpen(t *testing.T) {
	for _, path := range []string{"-", "/dev/stdout"} {
		out, err := CreateOutput(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := out.Commit(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stdout.Stat(); err != nil {
			t.Fatalf("after Commit of %s: stdout: %v", path, err)
		}
	}
}
