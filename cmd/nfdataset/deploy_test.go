package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// decodeJob decodes a generated manifest strictly (unknown or misspelt
// fields are errors) into the official Job type.
func decodeJob(t *testing.T, path string) *batchv1.Job {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var job batchv1.Job
	if err := yaml.UnmarshalStrict(b, &job); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if job.APIVersion != "batch/v1" || job.Kind != "Job" {
		t.Fatalf("%s: %s %s, want batch/v1 Job", path, job.APIVersion, job.Kind)
	}
	return &job
}

// TestDeployKubernetes decodes the generated Indexed Job and merge Job
// with k8s.io/api, then runs each index's container command (this test
// binary standing in for the image's nfdataset) with JOB_COMPLETION_INDEX
// set as Kubernetes sets it, runs the merge Job's command, and compares
// with a single build.
func TestDeployKubernetes(t *testing.T) {
	manifest, dir := writeShardManifest(t)
	want := singleBuild(t, manifest, dir)
	const n = 3
	out := filepath.Join(dir, "out")
	deployDir := filepath.Join(dir, "k8s")
	if code, _, stderr := runCLI(t, "deploy", "kubernetes", "--shards", fmt.Sprint(n), "--split-above", "1MiB", "--cpus", "1",
		"--image", "registry.example/nfdataset:v1", "-o", deployDir, manifest); code != 0 {
		t.Fatalf("deploy: exit %d: %s", code, stderr)
	}
	shards := decodeJob(t, filepath.Join(deployDir, "shards.yaml"))
	merge := decodeJob(t, filepath.Join(deployDir, "merge.yaml"))
	spec := shards.Spec
	if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion ||
		spec.Completions == nil || *spec.Completions != n || spec.Parallelism == nil || *spec.Parallelism != n {
		t.Fatalf("shards Job: completionMode %v, completions %v, parallelism %v; want Indexed, %d, %d",
			spec.CompletionMode, spec.Completions, spec.Parallelism, n, n)
	}
	for _, job := range []*batchv1.Job{shards, merge} {
		pod := job.Spec.Template.Spec
		if pod.RestartPolicy != corev1.RestartPolicyNever || len(pod.Containers) != 1 || pod.Containers[0].Image != "registry.example/nfdataset:v1" {
			t.Errorf("%s: restartPolicy %q, containers %d", job.Name, pod.RestartPolicy, len(pod.Containers))
		}
		c := pod.Containers[0]
		if len(c.VolumeMounts) != 1 || len(pod.Volumes) != 1 || pod.Volumes[0].PersistentVolumeClaim == nil ||
			c.VolumeMounts[0].Name != pod.Volumes[0].Name {
			t.Fatalf("%s: want one PVC volume mounted", job.Name)
		}
		mount := c.VolumeMounts[0].MountPath
		for _, p := range []string{manifest, out} {
			if rel, err := filepath.Rel(mount, p); err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s: %s is not under the volume mounted at %s", job.Name, p, mount)
			}
		}
	}
	cmd := shards.Spec.Template.Spec.Containers[0].Command
	if cmd[0] != "nfdataset" {
		t.Fatalf("shard command %q", cmd)
	}
	runShards(t, n, func(i int) []string { return []string{fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i)} },
		func(int) []string { return cmd[1:] })
	mcmd := merge.Spec.Template.Spec.Containers[0].Command
	if diff := cmp.Diff([]string{"nfdataset", "merge", out}, mcmd); diff != "" {
		t.Errorf("merge command (-want +got):\n%s", diff)
	}
	if code, _, stderr := runCLI(t, mcmd[1:]...); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff(want, listFiles(t, out)); diff != "" {
		t.Errorf("merged folder differs from the single build (-single +merged):\n%s", diff)
	}
}

func TestDeployStdoutAndErrors(t *testing.T) {
	manifest, _ := writeTestManifest(t, testManifest)
	code, stdout, stderr := runCLI(t, "deploy", "slurm", "--shards", "4", manifest)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"# ==> shards.sbatch <==", "#SBATCH --array=0-3\n", "build --shard env --jobs 2 --output ",
		"# ==> merge.sbatch <==", " merge ", "# ==> submit.sh <==", "--dependency=afterok:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"deploy", "slurm", manifest}, "--shards N (N ≥ 1) is required"},
		{[]string{"deploy", "pbs", "--shards", "2", manifest}, `unknown scheduler "pbs"`},
		{[]string{"deploy", "slurm", "--shards", "2", "--split-above", "3 parsecs", manifest}, "--split-above: size"},
	} {
		code, _, stderr := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.msg) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.msg)
		}
	}
}

var updateDeploy = flag.Bool("update", false, "rewrite the examples in deploy/ from the current deploy command (review the diff first)")

// deployExamples are the files checked in under deploy/ and the command
// that writes each folder (the CIC-IDS2017 recipe in 8 shards). The
// repository's own path is replaced by exampleRoot so that the files do
// not depend on where the checkout is.
var deployExamples = []struct {
	dir  string
	args []string
}{
	{"slurm", []string{"deploy", "slurm", "--shards", "8", "--split-above", "1GiB", "--cpus", "4", "--memory", "8G",
		"--output", "/shared/datasets/cic-ids2017", "../../manifests/cic.toml"}},
	{"kubernetes", []string{"deploy", "kubernetes", "--shards", "8", "--split-above", "1GiB", "--cpus", "4", "--memory", "8Gi",
		"--image", "nfdataset:latest", "--pvc", "nfdataset-data", "--mount", "/shared",
		"--output", "/shared/datasets/cic-ids2017", "../../manifests/cic.toml"}},
}

const exampleRoot = "/shared/nfdataset"

// TestDeployExamples regenerates deploy/'s examples and fails when they
// have drifted from what deploy writes today (go test -run
// TestDeployExamples -update rewrites them).
func TestDeployExamples(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range deployExamples {
		t.Run(ex.dir, func(t *testing.T) {
			tmp := t.TempDir()
			args := append(append([]string{}, ex.args[:len(ex.args)-1]...), "-o", tmp, ex.args[len(ex.args)-1])
			if code, _, stderr := runCLI(t, args...); code != 0 {
				t.Fatalf("%q: exit %d: %s", args, code, stderr)
			}
			gen, err := os.ReadDir(tmp)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(root, "deploy", ex.dir)
			seen := map[string]bool{}
			for _, e := range gen {
				seen[e.Name()] = true
				b, err := os.ReadFile(filepath.Join(tmp, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				got := strings.ReplaceAll(string(b), root, exampleRoot)
				path := filepath.Join(dir, e.Name())
				if *updateDeploy {
					info, _ := os.Stat(filepath.Join(tmp, e.Name()))
					os.MkdirAll(dir, 0o755)
					if err := os.WriteFile(path, []byte(got), info.Mode().Perm()); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Errorf("%v (go test -run TestDeployExamples -update writes it)", err)
					continue
				}
				if diff := cmp.Diff(string(want), got); diff != "" {
					t.Errorf("deploy/%s/%s is out of date (-checked in +generated; -update rewrites it):\n%s", ex.dir, e.Name(), diff)
				}
				if strings.HasSuffix(e.Name(), ".yaml") {
					decodeJob(t, path) // the checked-in Jobs stay valid batch/v1 Jobs
				}
			}
			have, _ := os.ReadDir(dir)
			for _, e := range have {
				if !seen[e.Name()] {
					t.Errorf("deploy/%s/%s is not written by deploy any more", ex.dir, e.Name())
				}
			}
		})
	}
}
