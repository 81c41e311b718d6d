package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// slurmCluster makes sure a Slurm cluster answers: one already running,
// or the one-node cluster scripts/slurm-local.sh starts when this test
// runs as root. It skips, saying why, when neither is possible.
func slurmCluster(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("sbatch"); err != nil {
		t.Skip("sbatch not found: the Slurm test needs Debian's slurm-wlm and munge (.ci/run installs them as root)")
	}
	up := func() bool {
		out, _ := exec.Command("sinfo", "-h", "-o", "%T").Output()
		return regexp.MustCompile(`(?m)^(idle|mixed|allocated)`).Match(out)
	}
	if up() {
		return
	}
	if os.Getuid() != 0 {
		t.Skip("no Slurm cluster answers and only root can start the local one (scripts/slurm-local.sh)")
	}
	if out, err := exec.Command("../../scripts/slurm-local.sh").CombinedOutput(); err != nil || !up() {
		t.Skipf("the local Slurm cluster did not start (%v): %s", err, out)
	}
}

// TestSlurmArray submits the files deploy slurm writes to a real Slurm
// cluster: the shard array (one input split by flow hash) and the merge
// step that waits on it with --dependency=afterok. The merged folder must
// equal a single build's, file for file.
func TestSlurmArray(t *testing.T) {
	slurmCluster(t)
	if _, err := os.Stat(filepath.Join(corpusPcaps, "anydesk.pcap")); err != nil {
		t.Skipf("corpus not found (%v)", err)
	}
	// anydesk.pcap (2.9 MB) is split; the other a*.pcap stay whole.
	manifest, dir := writeTestManifest(t, strings.ReplaceAll(strings.Replace(shardManifest, "[a-d]*.pcap", "a*.pcap", 1), "CORPUS", corpusPcaps))
	want := singleBuild(t, manifest, dir)
	const n = 3
	deployDir := filepath.Join(dir, "slurm")
	if code, _, stderr := runCLI(t, "deploy", "slurm", "--shards", fmt.Sprint(n), "--split-above", "1MiB", "--cpus", "1",
		"--memory", "500M", "--binary", os.Args[0], "-o", deployDir, manifest); code != 0 {
		t.Fatalf("deploy: exit %d: %s", code, stderr)
	}
	// sbatch hands the submitting environment to the jobs: this test
	// binary then runs as nfdataset.
	submit := exec.Command(filepath.Join(deployDir, "submit.sh"))
	submit.Env = append(os.Environ(), "NFDATASET_TEST_AS_MAIN=1")
	b, err := submit.CombinedOutput()
	if err != nil {
		t.Fatalf("submit.sh: %v\n%s", err, b)
	}
	m := regexp.MustCompile(`shards: job (\d+), merge: job (\d+)`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("submit.sh printed %q", b)
	}
	array, merge := string(m[1]), string(m[2])
	t.Cleanup(func() { exec.Command("scancel", array, merge).Run() })

	deadline := time.Now().Add(5 * time.Minute)
	for {
		q, err := exec.Command("squeue", "-h", "-j", array+","+merge, "-o", "%i %T %r").Output()
		if err == nil && len(bytes.TrimSpace(q)) == 0 {
			break
		}
		if bytes.Contains(q, []byte("DependencyNeverSatisfied")) {
			t.Fatalf("a shard failed, the merge will never run:\n%s\n%s", q, slurmLogs(t, dir))
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs %s and %s still queued after 5 minutes:\n%s", array, merge, q)
		}
		time.Sleep(500 * time.Millisecond)
	}
	out := filepath.Join(dir, "out")
	// Every array task ran its own shard (as SLURM_ARRAY_TASK_ID says),
	// with the big input split, and the merge ran after them.
	logs := slurmLogs(t, dir)
	for i := range n {
		if !regexp.MustCompile(fmt.Sprintf(`out\.slurm-%s_%d\.log <==\nbuilt shard %d/%d of shard-test: \d+ input\(s\) \([1-9]\d* split by flow hash\)`, array, i, i, n)).MatchString(logs) {
			t.Errorf("array task %d did not build shard %d/%d with a split input:\n%s", i, i, n, logs)
		}
	}
	if !strings.Contains(logs, fmt.Sprintf("out.slurm-merge-%s.log <==\nmerged shard-test: ", merge)) {
		t.Errorf("the merge job's log does not say it merged:\n%s", logs)
	}
	got := listFiles(t, out)
	if _, ok := got["dataset.json"]; !ok {
		t.Fatalf("no dataset.json after the merge job:\n%s", slurmLogs(t, dir))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the Slurm-merged folder differs from the single build (-single +merged):\n%s", diff)
	}
}

// slurmLogs returns the jobs' output files (written beside OUT).
func slurmLogs(t *testing.T, dir string) string {
	logs, _ := filepath.Glob(filepath.Join(dir, "out.slurm-*.log"))
	var b strings.Builder
	sort.Strings(logs)
	for _, l := range logs {
		s, _ := os.ReadFile(l)
		fmt.Fprintf(&b, "==> %s <==\n%s", l, s)
	}
	return b.String()
}
