package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/meter"
	"github.com/nfdataset/nfdataset/pipeline"
)

var corpusPcaps, _ = filepath.Abs("../../../shared/corpus/nfstream/pcaps")

// shardManifest spans 36 corpus captures (7.9 MB; three are over 1 MiB,
// split with --split-above 1MiB) with DPI, labels absent.
const shardManifest = `[dataset]
name = "shard-test"
version = "1"

[[input]]
path = "CORPUS/[a-d]*.pcap"

[features]
sets = ["base", "stats", "splt", "dpi"]
splt = { n = 5 }

[output]
path = "OUT"
`

func writeShardManifest(t *testing.T) (string, string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(corpusPcaps, "anydesk.pcap")); err != nil {
		t.Skipf("corpus not found (%v): sharded builds are tested on ../shared/corpus", err)
	}
	return writeTestManifest(t, strings.ReplaceAll(shardManifest, "CORPUS", corpusPcaps))
}

// nfdataset runs this test binary as the nfdataset command.
func nfdataset(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "NFDATASET_TEST_AS_MAIN=1"), env...)
	return cmd
}

// runShards runs shards 0..n-1 as concurrent processes (env(i) adds each
// one's environment) and fails on any error.
func runShards(t *testing.T, n int, env func(i int) []string, args func(i int) []string) {
	t.Helper()
	cmds := make([]*exec.Cmd, n)
	outs := make([]*strings.Builder, n)
	for i := range cmds {
		outs[i] = &strings.Builder{}
		cmds[i] = nfdataset(env(i), args(i)...)
		cmds[i].Stdout, cmds[i].Stderr = outs[i], outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("shard %d/%d: %v\n%s", i, n, err, outs[i])
		}
	}
}

func readShardRecord(t *testing.T, out string, i, n int) pipeline.ShardRecord {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, ".shards", fmt.Sprintf("%d-of-%d.json", i, n)))
	if err != nil {
		t.Fatal(err)
	}
	var r pipeline.ShardRecord
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// singleBuild builds the manifest on one machine into dir/single.
func singleBuild(t *testing.T, manifest, dir string) map[string]string {
	t.Helper()
	single := filepath.Join(dir, "single")
	if code, _, stderr := runCLI(t, "build", "--output", single, manifest); code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	files := listFiles(t, single)
	// The merge must write these with the same bytes (issue 14): the
	// comparisons with this map would pass vacuously without them.
	for _, f := range []string{"dataset.json", "croissant.json", "manifest.json", "README.md"} {
		if _, ok := files[f]; !ok {
			t.Fatalf("the single build wrote no %s", f)
		}
	}
	return files
}

// checkSplit checks that the records hold every input once (whole) or
// in every shard (split), that the split inputs' flows are spread over
// at least two shards, and returns the number of split inputs.
func checkSplit(t *testing.T, out string, n int, want map[string]int64) int {
	t.Helper()
	whole := map[string]int{}
	split := map[string][]int64{}
	for i := range n {
		r := readShardRecord(t, out, i, n)
		if r.Shard != i || r.Shards != n {
			t.Errorf("%d-of-%d.json says shard %d/%d", i, n, r.Shard, r.Shards)
		}
		for _, j := range r.Jobs {
			if j.Split {
				split[j.Input] = append(split[j.Input], j.Flows)
			} else {
				whole[j.Input]++
				if j.Flows != want[j.Input] {
					t.Errorf("shard %d/%d: input %s has %d flows, the single build %d", i, n, j.Input, j.Flows, want[j.Input])
				}
			}
		}
	}
	for name, rows := range want {
		if s, ok := split[name]; ok {
			var sum int64
			holders := 0
			for _, f := range s {
				sum += f
				if f > 0 {
					holders++
				}
			}
			if len(s) != n || sum != rows || (n > 1 && rows > 1 && holders < 2) {
				t.Errorf("split input %s: flows per shard %v, want %d shards summing to %d, ≥ 2 of them non-empty", name, s, n, rows)
			}
			if whole[name] != 0 {
				t.Errorf("input %s is split and whole", name)
			}
		} else if whole[name] != 1 {
			t.Errorf("input %s is in %d shards", name, whole[name])
		}
	}
	return len(split)
}

func datasetRows(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	p, err := pipeline.ReadProvenance(filepath.Join(dir, "dataset.json"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int64{}
	for _, in := range p.Inputs {
		rows[in.Name] = in.Rows
	}
	return rows
}

func TestShardsMergeLikeOneBuild(t *testing.T) {
	manifest, dir := writeShardManifest(t)
	want := singleBuild(t, manifest, dir)
	rows := datasetRows(t, filepath.Join(dir, "single"))
	for _, n := range []int{1, 2, 3, 5} {
		for _, splitAbove := range []string{"", "1MiB"} {
			t.Run(fmt.Sprintf("N=%d split-above=%q", n, splitAbove), func(t *testing.T) {
				out := filepath.Join(dir, fmt.Sprintf("out-%d-%s", n, splitAbove))
				runShards(t, n, func(int) []string { return nil }, func(i int) []string {
					args := []string{"build", "--output", out, "--jobs", "1", "--shard", fmt.Sprintf("%d/%d", i, n)}
					if splitAbove != "" {
						args = append(args, "--split-above", splitAbove)
					}
					return append(args, manifest)
				})
				nsplit := checkSplit(t, out, n, rows)
				if splitAbove != "" && n > 1 && nsplit == 0 {
					t.Errorf("no input split above %s", splitAbove)
				}
				if code, _, stderr := runCLI(t, "merge", out); code != 0 {
					t.Fatalf("merge: exit %d: %s", code, stderr)
				}
				if diff := cmp.Diff(want, listFiles(t, out)); diff != "" {
					t.Errorf("merged folder differs from the single build (-single +merged):\n%s", diff)
				}
			})
		}
	}
}

func TestMergeRefusesBadShards(t *testing.T) {
	manifest, dir := writeShardManifest(t)
	want := singleBuild(t, manifest, dir)
	const n = 3
	build := func(t *testing.T, out string, i int, extra ...string) {
		t.Helper()
		args := append([]string{"build", "--output", out, "--jobs", "1", "--split-above", "1MiB", "--shard", fmt.Sprintf("%d/%d", i, n)}, extra...)
		if code, _, stderr := runCLI(t, append(args, manifest)...); code != 0 {
			t.Fatalf("build shard %d: exit %d: %s", i, code, stderr)
		}
	}
	tests := []struct {
		name   string
		break_ func(t *testing.T, out string)
		msg    string
	}{
		{"missing", func(t *testing.T, out string) {
			os.Remove(filepath.Join(out, ".shards", "1-of-3.json"))
		}, "shard 1/3 is missing"},
		{"stale", func(t *testing.T, out string) {
			build(t, out, 2, "--split-above", "2MiB") // another plan
		}, "shard 2/3 is stale"},
		{"altered record file", func(t *testing.T, out string) {
			r := readShardRecord(t, out, 0, n)
			path := filepath.Join(out, filepath.FromSlash(r.Files[0].Path))
			b, _ := os.ReadFile(path)
			b[len(b)/2] ^= 1
			os.WriteFile(path, b, 0o644)
		}, "shard 0/3 is altered"},
		{"altered split part", func(t *testing.T, out string) {
			r := readShardRecord(t, out, 1, n)
			for _, f := range r.Files {
				if strings.HasSuffix(f.Path, ".idx") {
					os.WriteFile(filepath.Join(out, filepath.FromSlash(f.Path)), []byte{0}, 0o644)
					return
				}
			}
			t.Fatal("no split input")
		}, "shard 1/3 is altered"},
		{"duplicated", func(t *testing.T, out string) {
			b, _ := os.ReadFile(filepath.Join(out, ".shards", "0-of-3.json"))
			os.WriteFile(filepath.Join(out, ".shards", "1-of-3.json"), b, 0o644)
		}, "shard 0/3 is duplicated"},
		{"other shard count", func(t *testing.T, out string) {
			if code, _, stderr := runCLI(t, "build", "--output", out, "--shard", "0/2", manifest); code != 0 {
				t.Fatal(stderr)
			}
		}, "is stale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			for i := range n {
				build(t, out, i)
			}
			tt.break_(t, out)
			before := listFiles(t, out)
			code, _, stderr := runCLI(t, "merge", out)
			if code != 1 || !strings.Contains(stderr, tt.msg) {
				t.Fatalf("merge: exit %d, stderr %q; want exit 1 and %q", code, stderr, tt.msg)
			}
			if diff := cmp.Diff(before, listFiles(t, out)); diff != "" {
				t.Errorf("a refused merge wrote files (-before +after):\n%s", diff)
			}
			// Re-running the broken shard (and removing another run's
			// shards) repairs the folder.
			os.RemoveAll(filepath.Join(out, ".shards", "0-of-2"))
			os.Remove(filepath.Join(out, ".shards", "0-of-2.json"))
			for i := range n {
				if strings.Contains(tt.msg, fmt.Sprintf("shard %d/3", i)) {
					build(t, out, i)
				}
			}
			if tt.name == "duplicated" {
				build(t, out, 1)
			}
			if code, _, stderr := runCLI(t, "merge", out); code != 0 {
				t.Fatalf("merge after re-running: exit %d: %s", code, stderr)
			}
			if diff := cmp.Diff(want, listFiles(t, out)); diff != "" {
				t.Errorf("merged folder differs from the single build (-single +merged):\n%s", diff)
			}
		})
	}
}

func TestShardEnv(t *testing.T) {
	tests := []struct {
		env    map[string]string
		shards int
		want   string // shard, or error text
	}{
		{map[string]string{"JOB_COMPLETION_INDEX": "2"}, 4, "2/4"},
		{map[string]string{"JOB_COMPLETION_INDEX": "4"}, 4, "want 0 ≤ I < N"},
		{map[string]string{"JOB_COMPLETION_INDEX": "0"}, 0, "--shards N"},
		{map[string]string{"JOB_COMPLETION_INDEX": "x"}, 2, `JOB_COMPLETION_INDEX="x" is not a number`},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_COUNT": "3"}, 0, "2/3"},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "3"}, 3, "1/3"},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "3"}, 2, "the Slurm array has 3 tasks"},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "1"}, 0, "SLURM_ARRAY_TASK_MIN or SLURM_ARRAY_TASK_COUNT is not"},
		{map[string]string{}, 3, "neither JOB_COMPLETION_INDEX"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.env, tt.shards), func(t *testing.T) {
			s, err := shardFromEnv(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }, tt.shards)
			got := s.String()
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestShardEnvKubernetes runs every index of an Indexed Job with
// --shard env and merges.
func TestShardEnvKubernetes(t *testing.T) {
	manifest, dir := writeShardManifest(t)
	want := singleBuild(t, manifest, dir)
	const n = 3
	out := filepath.Join(dir, "out")
	runShards(t, n, func(i int) []string { return []string{fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i)} }, func(int) []string {
		return []string{"build", "--output", out, "--jobs", "1", "--shard", "env", "--shards", fmt.Sprint(n), "--split-above", "1MiB", manifest}
	})
	if code, _, stderr := runCLI(t, "merge", out); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff(want, listFiles(t, out)); diff != "" {
		t.Errorf("merged folder differs from the single build (-single +merged):\n%s", diff)
	}
}

// TestShardAreasMakeAnNfdatasetFolder checks the output-folder rule for
// shards: a folder holding only .shards/ (what concurrent shards leave
// before the merge) is nfdataset's, so another shard, the merge or a plain
// build may write there; a look-alike that is not a .shards directory is
// someone else's folder and every command refuses it.
func TestShardAreasMakeAnNfdatasetFolder(t *testing.T) {
	manifest, _ := writeTestManifest(t, testManifest)
	shard := func(out string, i int) (int, string) {
		code, _, stderr := runCLI(t, "build", "--output", out, "--jobs", "1", "--shard", fmt.Sprintf("%d/2", i), manifest)
		return code, stderr
	}
	tests := []struct {
		name    string
		prepare func(t *testing.T, out string)
		ours    bool
	}{
		{"shard area only", func(t *testing.T, out string) {
			if code, stderr := shard(out, 0); code != 0 {
				t.Fatalf("shard 0/2: exit %d: %s", code, stderr)
			}
			entries, _ := os.ReadDir(out)
			if len(entries) != 1 || entries[0].Name() != ".shards" {
				t.Fatalf("after one shard %s holds %v, want only .shards/", out, entries)
			}
		}, true},
		{".shards is a file", func(t *testing.T, out string) {
			os.MkdirAll(out, 0o755)
			os.WriteFile(filepath.Join(out, ".shards"), []byte("x"), 0o644)
		}, false},
		{"shards without the dot", func(t *testing.T, out string) {
			os.MkdirAll(filepath.Join(out, "shards", "0-of-2"), 0o755)
			os.WriteFile(filepath.Join(out, "shards", "0-of-2.json"), []byte("{}"), 0o644)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			tt.prepare(t, out)
			code, stderr := shard(out, 1)
			if !tt.ours {
				if code == 0 || !strings.Contains(stderr, "was not made by nfdataset") {
					t.Errorf("shard 1/2 into a foreign folder: exit %d, stderr %q; want a refusal", code, stderr)
				}
				if code, _, stderr := runCLI(t, "build", "--output", out, manifest); code == 0 || !strings.Contains(stderr, "was not made by nfdataset") {
					t.Errorf("build into a foreign folder: exit %d, stderr %q; want a refusal", code, stderr)
				}
				return
			}
			if code != 0 {
				t.Fatalf("shard 1/2 beside shard 0/2: exit %d: %s", code, stderr)
			}
			if code, _, stderr := runCLI(t, "merge", out); code != 0 {
				t.Fatalf("merge: exit %d: %s", code, stderr)
			}
			// And a plain build over a folder with only shard areas.
			out2 := filepath.Join(t.TempDir(), "out")
			if code, stderr := shard(out2, 1); code != 0 {
				t.Fatalf("shard 1/2: exit %d: %s", code, stderr)
			}
			if code, _, stderr := runCLI(t, "build", "--output", out2, manifest); code != 0 {
				t.Errorf("build into a folder holding only .shards/: exit %d: %s", code, stderr)
			}
		})
	}
}

// seenSet counts the flows metered with it (Init calls) into seen. The
// Passive one is feature work a shard may skip for flows it does not own;
// the other stands for a hook that may force expiry, which every shard
// must run for every flow.
type seenSet struct {
	seen *atomic.Int64
	col  string
}

var ownedSeen, allSeen atomic.Int64

func (s seenSet) Init(*meter.Packet, *meter.Flow)   { s.seen.Add(1) }
func (s seenSet) Update(*meter.Packet, *meter.Flow) {}
func (s seenSet) Expire(*meter.Flow)                {}
func (s seenSet) Columns() features.Schema {
	return features.Schema{{Name: s.col, Kind: features.Int, Doc: "test: always 0"}}
}
func (s seenSet) Fill(_ int64, _ *meter.Flow, dst []features.Value) { dst[0] = features.Value{} }

type passiveSeenSet struct{ seenSet }

func (passiveSeenSet) PassiveHook() {}

func init() {
	features.Register(features.Spec{Name: "shardtest_owned", Version: 1, Rank: 90, Doc: "test: counts the flows it computes",
		New: func(features.Options, features.Env) (features.Set, error) {
			return passiveSeenSet{seenSet{&ownedSeen, "shardtest_owned"}}, nil
		}})
	features.Register(features.Spec{Name: "shardtest_all", Version: 1, Rank: 91, Doc: "test: counts the flows it sees",
		New: func(features.Options, features.Env) (features.Set, error) {
			return seenSet{&allSeen, "shardtest_all"}, nil
		}})
}

// TestShardSkipsForeignFeatureWork: a shard of a split input runs the
// feature sets that cannot force expiry only for the flows it owns, so
// over all shards they see each flow of the single build once, while a
// set that may force expiry sees every flow of a split input in every
// shard.
func TestShardSkipsForeignFeatureWork(t *testing.T) {
	if _, err := os.Stat(filepath.Join(corpusPcaps, "anydesk.pcap")); err != nil {
		t.Skipf("corpus not found (%v)", err)
	}
	manifest, dir := writeTestManifest(t, strings.ReplaceAll(strings.ReplaceAll(shardManifest, "CORPUS", corpusPcaps),
		`"dpi"]`, `"dpi", "shardtest_owned", "shardtest_all"]`))
	// The sets' logic hashes probe them once per process; probe now, so
	// that the counts below are the builds' alone.
	for _, name := range []string{"shardtest_owned", "shardtest_all"} {
		if _, err := pipeline.ReferenceHash(name); err != nil {
			t.Fatal(err)
		}
	}
	ownedSeen.Store(0)
	allSeen.Store(0)
	want := singleBuild(t, manifest, dir)
	rows := datasetRows(t, filepath.Join(dir, "single"))
	var total int64
	for _, r := range rows {
		total += r
	}
	if ownedSeen.Load() != total || allSeen.Load() != total {
		t.Fatalf("single build: sets saw %d and %d flows, the dataset has %d", ownedSeen.Load(), allSeen.Load(), total)
	}
	const n = 3
	out := filepath.Join(dir, "sharded")
	var owned, all []int64
	for i := range n {
		ownedSeen.Store(0)
		allSeen.Store(0)
		if code, _, stderr := runCLI(t, "build", "--output", out, "--jobs", "1", "--shard", fmt.Sprintf("%d/%d", i, n), "--split-above", "1MiB", manifest); code != 0 {
			t.Fatalf("shard %d/%d: exit %d: %s", i, n, code, stderr)
		}
		owned = append(owned, ownedSeen.Load())
		all = append(all, allSeen.Load())
	}
	if checkSplit(t, out, n, rows) == 0 {
		t.Fatal("no input split above 1MiB")
	}
	var splitRows int64 // flows of the split inputs
	for _, j := range readShardRecord(t, out, 0, n).Jobs {
		if j.Split {
			splitRows += rows[j.Input]
		}
	}
	var ownedSum, allSum int64
	for i := range n {
		ownedSum += owned[i]
		allSum += all[i]
		if owned[i] >= total || owned[i] >= all[i] {
			t.Errorf("shard %d/%d computed %d flows (of %d metered, %d in the dataset): foreign flows were not skipped", i, n, owned[i], all[i], total)
		}
	}
	if ownedSum != total {
		t.Errorf("the shards computed %v flows, %d in all; the single build %d", owned, ownedSum, total)
	}
	if wantAll := total + (n-1)*splitRows; allSum != wantAll {
		t.Errorf("a set that may force expiry saw %v flows, %d in all; want %d (every split flow in every shard)", all, allSum, wantAll)
	}
	if code, _, stderr := runCLI(t, "merge", out); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff(want, listFiles(t, out)); diff != "" {
		t.Errorf("merged folder differs from the single build (-single +merged):\n%s", diff)
	}
}

// TestShardsWithEarlyExpiry: plugins that end flows before their timeout
// (tcp_teardown at the first FIN or RST, slicer at 4 packets) decide the
// lifetimes, and so the ids and order, of every flow; each shard runs them
// for the flows it does not own too, and the merge still equals the
// single build byte for byte.
func TestShardsWithEarlyExpiry(t *testing.T) {
	if _, err := os.Stat(filepath.Join(corpusPcaps, "anydesk.pcap")); err != nil {
		t.Skipf("corpus not found (%v)", err)
	}
	text := strings.ReplaceAll(shardManifest, "CORPUS", corpusPcaps)
	plain, plainDir := writeTestManifest(t, text)
	manifest, dir := writeTestManifest(t, strings.Replace(text, "splt = { n = 5 }",
		`splt = { n = 5 }
plugins = [{ name = "tcp_teardown", mode = "first" }, { name = "slicer", limit = 4 }]`, 1))
	want := singleBuild(t, manifest, dir)
	rows := datasetRows(t, filepath.Join(dir, "single"))
	singleBuild(t, plain, plainDir)
	plainRows := datasetRows(t, filepath.Join(plainDir, "single"))
	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) {
			out := filepath.Join(dir, fmt.Sprintf("out-%d", n))
			runShards(t, n, func(int) []string { return nil }, func(i int) []string {
				return []string{"build", "--output", out, "--jobs", "1", "--shard", fmt.Sprintf("%d/%d", i, n), "--split-above", "1MiB", manifest}
			})
			if checkSplit(t, out, n, rows) == 0 {
				t.Fatal("no input split above 1MiB")
			}
			// The plugins must have changed the split inputs' flows, or
			// this test would not be about early expiry.
			changed := 0
			for _, j := range readShardRecord(t, out, 0, n).Jobs {
				if j.Split && rows[j.Input] != plainRows[j.Input] {
					changed++
				}
			}
			if changed == 0 {
				t.Fatalf("the plugins changed no split input's flow count (%v, without them %v)", rows, plainRows)
			}
			if code, _, stderr := runCLI(t, "merge", out); code != 0 {
				t.Fatalf("merge: exit %d: %s", code, stderr)
			}
			if diff := cmp.Diff(want, listFiles(t, out)); diff != "" {
				t.Errorf("merged folder differs from the single build (-single +merged):\n%s", diff)
			}
		})
	}
}
