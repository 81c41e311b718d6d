//go:build unix

package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestS3BuildKilledMidUpload runs build as a child process and kills it
// with SIGKILL while the server holds its second upload of the dataset:
// nothing is published (no dataset.json), and a new build publishes.
func TestS3BuildKilledMidUpload(t *testing.T) {
	held := make(chan struct{})
	release := make(chan struct{})
	var puts atomic.Int32
	_, s := startS3(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/nfds/datasets/") && puts.Add(1) == 2 {
				close(held)
				<-release
				http.Error(w, "the client is gone", http.StatusServiceUnavailable)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	uploadCaptures(t, s)
	m := writeS3Manifest(t, "s3://nfds/raw/"+s3Captures[0], "s3://nfds/raw/more/*.pcap", "s3://nfds/datasets/k")
	cmd := exec.Command(os.Args[0], "build", m)
	cmd.Env = append(os.Environ(), "NFDATASET_TEST_AS_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-held:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child never reached its second upload: %s", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	close(release)
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v, want killed by SIGKILL", err)
	}
	if ok, err := s.Exists(context.Background(), s3URL("datasets/k/dataset.json")); err != nil || ok {
		t.Errorf("dataset.json after a build killed mid-upload: exists %v (%v)", ok, err)
	}
	if code, _, stderr := runCLI(t, "build", m); code != 0 || !strings.Contains(stderr, "(0 computed, 2 cached)") {
		t.Fatalf("build again: exit %d: %s", code, stderr)
	}
	if code, stdout, stderr := runCLI(t, "verify", "s3://nfds/datasets/k"); code != 0 {
		t.Errorf("verify after building again: exit %d: %s%s", code, stdout, stderr)
	}
}
