package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/nfdataset/nfdataset/stages/objstore"
)

// Inputs and outputs on S3 (docs/manifest.md, "Object storage"). An S3
// input is copied once into a local staging folder and from there is an
// ordinary local file: the same digests, the same cache keys and the same
// name (the key's last element, as a local file's name is its base name),
// so a dataset built from S3 is byte-identical to one built from local
// copies. Metering reads a capture from start to end, more than once for
// a split input: a local copy costs one transfer where streaming would
// cost several, and the digest cache then works unchanged. An S3 output
// is built in a local work folder and published from there (parts first,
// dataset.json last: objstore.Publish).

// S3CacheEnv names the folder holding staged S3 inputs and the local work
// folders of S3 outputs; by default the user's cache folder's
// nfdataset/s3 ($XDG_CACHE_HOME or ~/.cache on Linux).
const S3CacheEnv = "NFDATASET_S3_CACHE"

var s3Clients struct {
	mu sync.Mutex
	m  map[objstore.Config]*objstore.Store
}

// S3Store connects to the S3 endpoint the environment names
// (objstore.FromEnv, credentials by objstore.New's chain); one client per
// configuration and process.
func S3Store(lookup func(string) (string, bool)) (*objstore.Store, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	cfg := objstore.FromEnv(lookup)
	s3Clients.mu.Lock()
	defer s3Clients.mu.Unlock()
	if s, ok := s3Clients.m[cfg]; ok {
		return s, nil
	}
	s, err := objstore.New(cfg)
	if err != nil {
		return nil, err
	}
	if s3Clients.m == nil {
		s3Clients.m = map[objstore.Config]*objstore.Store{}
	}
	s3Clients.m[cfg] = s
	return s, nil
}

func s3CacheDir(lookup func(string) (string, bool)) (string, error) {
	if d, ok := lookup(S3CacheEnv); ok && d != "" {
		return filepath.Abs(d)
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no folder for S3 staging (set %s): %w", S3CacheEnv, err)
	}
	return filepath.Join(d, "nfdataset", "s3"), nil
}

// S3WorkDir is the local folder an S3 output URL is built in before it is
// published. It is kept between builds, so that a rebuild (after a failed
// upload, say) takes its jobs from the cache.
func S3WorkDir(u objstore.URL, lookup func(string) (string, bool)) (string, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	cache, err := s3CacheDir(lookup)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(outputURL(u).String()))
	return filepath.Join(cache, "out", u.Bucket+"-"+hex.EncodeToString(sum[:8])), nil
}

// outputURL is u as a folder: its key ends in "/" unless it is the root.
func outputURL(u objstore.URL) objstore.URL {
	u.Key = strings.TrimSuffix(u.Key, "/")
	return u
}

// S3Output reports whether the dataset goes to S3 (override, the
// --output flag, else [output].path), and where.
func (m *Manifest) S3Output(override string, lookup func(string) (string, bool)) (objstore.URL, bool, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	p := override
	if p == "" {
		var err error
		if p, err = expandVars(m.Output.Path, lookup); err != nil {
			return objstore.URL{}, false, err
		}
	}
	if !objstore.IsURL(p) {
		return objstore.URL{}, false, nil
	}
	u, err := objstore.Parse(p)
	if err != nil {
		return objstore.URL{}, false, err
	}
	if hasGlob(u.Key) {
		return objstore.URL{}, false, fmt.Errorf("%s: an output folder is not a pattern", p)
	}
	return outputURL(u), true, nil
}

// resolveS3 lists the objects url (expanded) names, stages each one and
// returns the local copies, in key order.
func resolveS3(ctx context.Context, written, url string, glob bool, lookup func(string) (string, bool)) ([]string, error) {
	u, err := objstore.Parse(url)
	if err != nil {
		return nil, err
	}
	if u.Key == "" || strings.HasSuffix(u.Key, "/") {
		return nil, fmt.Errorf("%s is a prefix, not an object (use a glob such as %s*.pcap)", url, outputURL(u).String()+"/")
	}
	store, err := S3Store(lookup)
	if err != nil {
		return nil, err
	}
	cache, err := s3CacheDir(lookup)
	if err != nil {
		return nil, err
	}
	var objs []objstore.Object
	if glob && hasGlob(u.Key) {
		alts, err := expandBraces(u.Key)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", written, err)
		}
		seen := map[string]bool{}
		for _, alt := range alts {
			if slices.Contains(strings.Split(alt, "/"), "**") || strings.Contains(alt, "**") {
				return nil, fmt.Errorf("%q: ** is not supported in s3:// keys (list each folder level with *)", written)
			}
			found, err := store.Glob(ctx, objstore.URL{Bucket: u.Bucket, Key: alt})
			if err != nil {
				return nil, err
			}
			for _, o := range found {
				if seen[o.URL.Key] || strings.HasSuffix(o.URL.Key, "/") || hiddenKey(alt, o.URL.Key) {
					continue
				}
				seen[o.URL.Key] = true
				objs = append(objs, o)
			}
		}
		slices.SortFunc(objs, func(a, b objstore.Object) int { return strings.Compare(a.URL.Key, b.URL.Key) })
		if len(objs) == 0 {
			return nil, fmt.Errorf("no object matches %q", written)
		}
	} else {
		// files = […] takes no patterns, as for local paths.
		o, err := store.Stat(ctx, u)
		if err != nil {
			return nil, err
		}
		objs = []objstore.Object{o}
	}
	paths := make([]string, len(objs))
	for i, o := range objs {
		if paths[i], err = stageObject(ctx, store, o, cache); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// hiddenKey applies the local rule to keys: an element starting with a
// dot is matched only by a pattern element that starts with one.
func hiddenKey(pattern, key string) bool {
	pe, ke := strings.Split(pattern, "/"), strings.Split(key, "/")
	for i, e := range ke {
		if strings.HasPrefix(e, ".") && (i >= len(pe) || !strings.HasPrefix(pe[i], ".")) {
			return true
		}
	}
	return false
}

// staged is what the staging folder knows of a copy, beside it.
type staged struct {
	ETag string `json:"etag"`
	Size int64  `json:"size"`
}

// stageObject copies o into cache/objects/BUCKET/KEY unless the copy there
// is of the same version (ETag and size).
func stageObject(ctx context.Context, store *objstore.Store, o objstore.Object, cache string) (string, error) {
	key := o.URL.Key
	if path.Clean(key) != key || slices.Contains(strings.Split(key, "/"), "..") || path.IsAbs(key) {
		return "", fmt.Errorf("%s: a key with empty, . or .. elements cannot be staged as a file", o.URL)
	}
	local := filepath.Join(cache, "objects", o.URL.Bucket, filepath.FromSlash(key))
	meta := filepath.Join(cache, "meta", o.URL.Bucket, filepath.FromSlash(key)+".json")
	if b, err := os.ReadFile(meta); err == nil {
		var s staged
		if json.Unmarshal(b, &s) == nil && s.ETag == o.ETag && s.Size == o.Size {
			if info, err := os.Stat(local); err == nil && info.Size() == o.Size {
				return local, nil
			}
		}
	}
	if _, err := store.Fetch(ctx, o.URL, local); err != nil {
		return "", err
	}
	b, _ := json.Marshal(staged{o.ETag, o.Size})
	if err := os.MkdirAll(filepath.Dir(meta), 0o777); err != nil {
		return "", fmt.Errorf("staging %s: %w", o.URL, err)
	}
	if err := writeFileAtomic(meta, b); err != nil {
		return "", fmt.Errorf("staging %s: %w", o.URL, err)
	}
	return local, nil
}

// PublishS3 uploads the finished dataset in dir to dest (objstore.Publish).
func PublishS3(ctx context.Context, dir string, dest objstore.URL, lookup func(string) (string, bool)) (*objstore.PublishReport, error) {
	store, err := S3Store(lookup)
	if err != nil {
		return nil, err
	}
	rep, err := store.Publish(ctx, dir, dest)
	if err != nil {
		return rep, fmt.Errorf("publishing to %s: %w", dest, err)
	}
	return rep, nil
}

// DownloadS3 copies the dataset published at src into dir, checking every
// file against its dataset.json.
func DownloadS3(ctx context.Context, src objstore.URL, dir string, lookup func(string) (string, bool)) error {
	store, err := S3Store(lookup)
	if err != nil {
		return err
	}
	if err := store.Download(ctx, outputURL(src), dir); err != nil {
		return err
	}
	return nil
}

// VerifyS3 checks the dataset published at src as Verify checks a folder:
// it copies dataset.json and every other object directly under src (as
// Verify looks at every file of a folder, listed or not) into a
// temporary folder, verifies that, and names each difference by its
// object's URL. A prefix without dataset.json is an error: its publish
// did not finish, so it holds no dataset.
func VerifyS3(ctx context.Context, src objstore.URL, against string, lookup func(string) (string, bool)) ([]string, error) {
	src = outputURL(src)
	store, err := S3Store(lookup)
	if err != nil {
		return nil, err
	}
	prov := src.Join(ProvenanceFile)
	if ok, err := store.Exists(ctx, prov); err != nil {
		return nil, err
	} else if !ok {
		return nil, fmt.Errorf("no published dataset at %s: %s does not exist (a publish that did not finish leaves none)", src, prov)
	}
	prefix := src
	if prefix.Key != "" {
		prefix.Key += "/"
	}
	objs, err := store.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "nfdataset-verify-s3-")
	if err != nil {
		return nil, fmt.Errorf("verifying %s: %w", src, err)
	}
	defer os.RemoveAll(tmp)
	names := map[string]bool{}
	for _, o := range objs {
		name := strings.TrimPrefix(o.URL.Key, prefix.Key)
		if name == "" || strings.Contains(name, "/") {
			continue // a folder level below the dataset: Verify looks at files only
		}
		if _, err := store.Fetch(ctx, o.URL, filepath.Join(tmp, name)); err != nil {
			return nil, fmt.Errorf("verifying %s: %w", src, err)
		}
		names[name] = true
	}
	diffs, err := Verify(tmp, against)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	if p, err := ReadProvenance(filepath.Join(tmp, ProvenanceFile)); err == nil {
		for _, f := range p.Files {
			names[f.Path] = true
		}
		for _, f := range p.Metadata {
			names[f.Path] = true
		}
	}
	for i, d := range diffs {
		if name, _, ok := strings.Cut(d, ": "); ok && names[name] {
			diffs[i] = prefix.String() + d
		}
	}
	return diffs, nil
}

// CheckS3Output fails when dest's bucket does not exist or refuses us,
// so that a build learns it cannot publish before it meters anything.
func CheckS3Output(ctx context.Context, dest objstore.URL, lookup func(string) (string, bool)) error {
	store, err := S3Store(lookup)
	if err != nil {
		return err
	}
	return store.CheckBucket(ctx, dest)
}
