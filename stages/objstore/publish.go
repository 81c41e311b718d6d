package objstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ProvenanceFile is the file a dataset folder lists itself in; the
// pipeline writes it last, and so does Publish.
const ProvenanceFile = "dataset.json"

// listed is the part of dataset.json Publish needs: the files it lists
// with their digests.
type listed struct {
	Files []struct {
		Path   string `json:"path"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	} `json:"files"`
	Metadata []struct {
		Path   string `json:"path"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	} `json:"metadata"`
}

type entry struct {
	path, sha string
	size      int64
}

func (l *listed) entries() []entry {
	var out []entry
	for _, f := range l.Files {
		out = append(out, entry{f.Path, f.SHA256, f.Size})
	}
	for _, f := range l.Metadata {
		out = append(out, entry{f.Path, f.SHA256, f.Size})
	}
	return out
}

func parseListed(b []byte, where string) (*listed, error) {
	var l listed
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	for _, e := range l.entries() {
		if e.path == "" || path.IsAbs(e.path) || strings.HasPrefix(path.Clean(e.path), "..") || e.path == ProvenanceFile {
			return nil, fmt.Errorf("%s: file path %q is not inside the dataset", where, e.path)
		}
	}
	return &l, nil
}

// PublishReport says what Publish did.
type PublishReport struct {
	Uploaded []string // paths relative to the dataset, dataset.json last
	Removed  []string // objects of the previous dataset no longer listed
	Bytes    int64
}

// Publish copies the finished dataset in dir to the prefix dest with the
// rule of a local publish: nothing a reader could take for a complete
// dataset is ever there before it is. The previous dataset.json (if any)
// is removed first, so that it never describes a mix of old and new
// parts; every file dir's dataset.json lists is uploaded and checked
// against its sha256 as it streams; dataset.json goes last; then the
// previous dataset's files that are no longer listed are removed. A
// publish that fails or is cancelled part way leaves no dataset.json, so
// readers and verify see no dataset at dest.
func (s *Store) Publish(ctx context.Context, dir string, dest URL) (*PublishReport, error) {
	local := filepath.Join(dir, ProvenanceFile)
	prov, err := os.ReadFile(local)
	if err != nil {
		return nil, fmt.Errorf("publishing %s: %w", dir, err)
	}
	next, err := parseListed(prov, local)
	if err != nil {
		return nil, err
	}
	destJSON := dest.Join(ProvenanceFile)
	var prev *listed
	if r, err := s.Open(ctx, destJSON); err == nil {
		b, err := io.ReadAll(io.LimitReader(r, 64<<20))
		r.Close()
		if err != nil {
			return nil, err
		}
		// An unreadable previous dataset.json only means we cannot tell
		// its files apart: they are left where they are.
		prev, _ = parseListed(b, destJSON.String())
		if err := s.Remove(ctx, destJSON); err != nil {
			return nil, err
		}
	} else if ok, serr := s.Exists(ctx, destJSON); serr != nil {
		return nil, serr
	} else if ok {
		return nil, err
	}

	rep := &PublishReport{}
	for _, e := range next.entries() {
		if err := s.putChecked(ctx, filepath.Join(dir, filepath.FromSlash(e.path)), dest.Join(e.path), e); err != nil {
			return rep, err
		}
		rep.Uploaded = append(rep.Uploaded, e.path)
		rep.Bytes += e.size
	}
	if err := s.Put(ctx, destJSON, bytes.NewReader(prov), int64(len(prov)), "application/json"); err != nil {
		return rep, err
	}
	rep.Uploaded = append(rep.Uploaded, ProvenanceFile)
	rep.Bytes += int64(len(prov))
	if prev != nil {
		keep := map[string]bool{}
		for _, e := range next.entries() {
			keep[path.Clean(e.path)] = true
		}
		for _, e := range prev.entries() {
			if keep[path.Clean(e.path)] {
				continue
			}
			if err := s.Remove(ctx, dest.Join(e.path)); err != nil {
				return rep, err
			}
			rep.Removed = append(rep.Removed, e.path)
		}
	}
	return rep, nil
}

// putChecked uploads a file, failing (before the upload completes) when
// its bytes are not the ones dataset.json lists.
func (s *Store) putChecked(ctx context.Context, file string, u URL, e entry) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("publishing: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if e.size != 0 && info.Size() != e.size {
		return fmt.Errorf("publishing %s: %d bytes, dataset.json lists %d", file, info.Size(), e.size)
	}
	r := &checkedReader{r: f, h: sha256.New(), want: e.sha, name: file}
	return s.Put(ctx, u, r, info.Size(), contentType(e.path))
}

// checkedReader fails the read that reaches the end when the bytes read
// do not hash to want, so the upload of a changed file never completes.
type checkedReader struct {
	r    io.Reader
	h    hash.Hash
	want string
	name string
}

func (c *checkedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF && c.want != "" {
		if got := hex.EncodeToString(c.h.Sum(nil)); got != c.want {
			return n, fmt.Errorf("publishing %s: sha256 %s, dataset.json lists %s (changed since the build)", c.name, got, c.want)
		}
	}
	return n, err
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".json":
		return "application/json"
	case ".md":
		return "text/markdown"
	case ".csv":
		return "text/csv"
	case ".parquet":
		return "application/vnd.apache.parquet"
	}
	return "application/octet-stream"
}

// Download copies the dataset published at src (its dataset.json and
// every file it lists) into dir, checking each file's sha256, so that
// verify and the readers of local folders can work on it. It fails when
// src holds no dataset.json: a dataset whose publish did not finish.
func (s *Store) Download(ctx context.Context, src URL, dir string) error {
	srcJSON := src.Join(ProvenanceFile)
	r, err := s.Open(ctx, srcJSON)
	if err != nil {
		return fmt.Errorf("no published dataset at %s: %w", src, err)
	}
	prov, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		return err
	}
	l, err := parseListed(prov, srcJSON.String())
	if err != nil {
		return err
	}
	for _, e := range l.entries() {
		if err := s.fetchChecked(ctx, src.Join(e.path), filepath.Join(dir, filepath.FromSlash(e.path)), e.sha); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, ProvenanceFile), prov, 0o644)
}

// Fetch copies one object to file (atomically: a temporary file renamed
// into place) and returns its sha256.
func (s *Store) Fetch(ctx context.Context, u URL, file string) (string, error) {
	if err := os.MkdirAll(filepath.Dir(file), 0o777); err != nil {
		return "", err
	}
	r, err := s.Open(ctx, u)
	if err != nil {
		return "", err
	}
	defer r.Close()
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), r); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (s *Store) fetchChecked(ctx context.Context, u URL, file, want string) error {
	got, err := s.Fetch(ctx, u, file)
	if err != nil {
		return err
	}
	if want != "" && got != want {
		return fmt.Errorf("%s: sha256 %s, dataset.json lists %s", u, got, want)
	}
	return nil
}
