package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Scheme is the URL scheme of object storage inputs and outputs.
const Scheme = "s3://"

// IsURL reports whether s names an object (or a prefix) on S3.
func IsURL(s string) bool { return strings.HasPrefix(s, Scheme) }

// URL is an s3://bucket/key address. Key may be empty (the bucket's
// root), a prefix ending in "/", or hold glob characters (see Glob).
type URL struct {
	Bucket, Key string
}

// Parse reads s3://bucket/key.
func Parse(s string) (URL, error) {
	if !IsURL(s) {
		return URL{}, fmt.Errorf("%q: not an %sbucket/key URL", s, Scheme)
	}
	rest := strings.TrimPrefix(s, Scheme)
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return URL{}, fmt.Errorf("%q: no bucket name", s)
	}
	if strings.ContainsAny(bucket, "*?[]") {
		return URL{}, fmt.Errorf("%q: globs match keys, not bucket names", s)
	}
	return URL{Bucket: bucket, Key: key}, nil
}

func (u URL) String() string { return Scheme + u.Bucket + "/" + u.Key }

// Join is u with elem appended to its key as a path.
func (u URL) Join(elem ...string) URL {
	k := path.Join(append([]string{u.Key}, elem...)...)
	if k == "." {
		k = ""
	}
	return URL{u.Bucket, strings.TrimPrefix(k, "/")}
}

// Store is a connection to one S3 endpoint.
type Store struct {
	c *minio.Client
}

// Config says where the endpoint is and who we are. Zero fields come
// from the environment (see FromEnv).
type Config struct {
	// Endpoint is a URL (https://s3.eu-west-1.amazonaws.com,
	// http://127.0.0.1:9000) or a host[:port] (https).
	Endpoint string
	Region   string
	// AccessKey and SecretKey, when set, are used instead of the chain
	// of environment, files and instance role.
	AccessKey, SecretKey, SessionToken string
}

// FromEnv reads the configuration AWS's own tools read: the endpoint from
// AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (default s3.amazonaws.com), the
// region from AWS_REGION or AWS_DEFAULT_REGION; either, when not set,
// from the profile (AWS_PROFILE, else default) of AWS_CONFIG_FILE or
// ~/.aws/config (its region and endpoint_url keys). Credentials are not read
// here but by New's chain, so that they are refreshed when they expire.
func FromEnv(lookup func(string) (string, bool)) Config {
	get := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := lookup(k); ok && v != "" {
				return v
			}
		}
		return ""
	}
	cfg := Config{
		Endpoint: get("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
		Region:   get("AWS_REGION", "AWS_DEFAULT_REGION"),
	}
	if cfg.Endpoint == "" || cfg.Region == "" {
		file := configFileSettings(get)
		if cfg.Endpoint == "" {
			cfg.Endpoint = file["endpoint_url"]
		}
		if cfg.Region == "" {
			cfg.Region = file["region"]
		}
	}
	return cfg
}

// New connects to the endpoint of cfg. Without keys in cfg, credentials
// come, first found first, from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
// (and AWS_SESSION_TOKEN), MINIO_ROOT_USER/MINIO_ROOT_PASSWORD, the
// shared credentials file (AWS_SHARED_CREDENTIALS_FILE or
// ~/.aws/credentials, profile AWS_PROFILE or default), and the instance
// role of the machine.
func New(cfg Config) (*Store, error) {
	host, secure := "s3.amazonaws.com", true
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		switch {
		case err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
			host, secure = u.Host, u.Scheme == "https"
			if u.Path != "" && u.Path != "/" {
				return nil, fmt.Errorf("S3 endpoint %q: a path is not supported", cfg.Endpoint)
			}
		case err == nil && u.Scheme == "" || !strings.Contains(cfg.Endpoint, "://"):
			host = cfg.Endpoint
		default:
			return nil, fmt.Errorf("S3 endpoint %q: want http(s)://host[:port] or host[:port]", cfg.Endpoint)
		}
	}
	creds := credentials.NewChainCredentials([]credentials.Provider{
		&credentials.EnvAWS{},
		&credentials.EnvMinio{},
		&credentials.FileAWSCredentials{},
		&credentials.IAM{},
	})
	if cfg.AccessKey != "" {
		creds = credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken)
	}
	c, err := minio.New(host, &minio.Options{Creds: creds, Secure: secure, Region: cfg.Region})
	if err != nil {
		return nil, fmt.Errorf("S3 endpoint %s: %w", host, err)
	}
	return &Store{c: c}, nil
}

// Object is one listed object.
type Object struct {
	URL  URL
	Size int64
	// ETag changes whenever the object's bytes do (it is not always an MD5).
	ETag string
}

// Glob lists the objects whose keys match pattern's key (path.Match
// syntax: * and ? do not cross "/"), sorted by key. A key without glob
// characters names one object, which must exist.
func (s *Store) Glob(ctx context.Context, pattern URL) ([]Object, error) {
	meta := strings.IndexAny(pattern.Key, "*?[")
	if meta < 0 {
		o, err := s.Stat(ctx, pattern)
		if err != nil {
			return nil, err
		}
		return []Object{o}, nil
	}
	if _, err := path.Match(pattern.Key, ""); err != nil {
		return nil, fmt.Errorf("%s: %w", pattern, err)
	}
	// List from the literal prefix; only the keys under the pattern's
	// directory depth can match.
	prefix := pattern.Key[:meta]
	var out []Object
	for info := range s.c.ListObjects(ctx, pattern.Bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if info.Err != nil {
			return nil, fmt.Errorf("listing %s: %w", URL{pattern.Bucket, prefix}, describe(info.Err))
		}
		if ok, _ := path.Match(pattern.Key, info.Key); ok {
			out = append(out, Object{URL{pattern.Bucket, info.Key}, info.Size, info.ETag})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL.Key < out[j].URL.Key })
	return out, nil
}

// Stat describes the object u names, taking its key literally (glob
// characters included).
func (s *Store) Stat(ctx context.Context, u URL) (Object, error) {
	info, err := s.c.StatObject(ctx, u.Bucket, u.Key, minio.StatObjectOptions{})
	if err != nil {
		return Object{}, fmt.Errorf("%s: %w", u, s.describeMissing(ctx, u.Bucket, err))
	}
	return Object{u, info.Size, info.ETag}, nil
}

// List lists every object under prefix (a key ending in "/", or "").
func (s *Store) List(ctx context.Context, prefix URL) ([]Object, error) {
	var out []Object
	for info := range s.c.ListObjects(ctx, prefix.Bucket, minio.ListObjectsOptions{Prefix: prefix.Key, Recursive: true}) {
		if info.Err != nil {
			return nil, fmt.Errorf("listing %s: %w", prefix, describe(info.Err))
		}
		out = append(out, Object{URL{prefix.Bucket, info.Key}, info.Size, info.ETag})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL.Key < out[j].URL.Key })
	return out, nil
}

// Reader reads one object: sequentially (Read), or at any offset with
// ranged GETs (ReadAt), which lets a reader of a big capture skip what it
// does not need.
type Reader struct {
	obj  *minio.Object
	url  URL
	size int64
	etag string
}

// Open opens an object for reading. It fails at once when the object
// does not exist.
func (s *Store) Open(ctx context.Context, u URL) (*Reader, error) {
	obj, err := s.c.GetObject(ctx, u.Bucket, u.Key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, describe(err))
	}
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, fmt.Errorf("%s: %w", u, describe(err))
	}
	return &Reader{obj: obj, url: u, size: info.Size, etag: info.ETag}, nil
}

func (r *Reader) Read(p []byte) (int, error) {
	n, err := r.obj.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%s: %w", r.url, describe(err))
	}
	return n, err
}

func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.obj.ReadAt(p, off)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%s at offset %d: %w", r.url, off, describe(err))
	}
	return n, err
}

// Size is the object's length in bytes.
func (r *Reader) Size() int64 { return r.size }

// ETag identifies the object's version.
func (r *Reader) ETag() string { return r.etag }

func (r *Reader) Close() error { return r.obj.Close() }

// Put uploads size bytes of r as u. With the size known, minio-go picks
// the multipart part size from it (an unknown size, -1, makes it buffer
// parts sized for a 5 TiB object: avoid). The object appears only once
// complete: a single PUT, or a multipart upload, which is listed only
// after its completion.
func (s *Store) Put(ctx context.Context, u URL, r io.Reader, size int64, contentType string) error {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	_, err := s.c.PutObject(ctx, u.Bucket, u.Key, r, size, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return fmt.Errorf("uploading %s: %w", u, describe(err))
	}
	return nil
}

// Remove deletes u; a missing object is not an error.
func (s *Store) Remove(ctx context.Context, u URL) error {
	if err := s.c.RemoveObject(ctx, u.Bucket, u.Key, minio.RemoveObjectOptions{}); err != nil {
		var resp minio.ErrorResponse
		if errors.As(err, &resp) && resp.Code == "NoSuchKey" {
			return nil
		}
		return fmt.Errorf("removing %s: %w", u, describe(err))
	}
	return nil
}

// Exists reports whether the object u exists.
func (s *Store) Exists(ctx context.Context, u URL) (bool, error) {
	_, err := s.c.StatObject(ctx, u.Bucket, u.Key, minio.StatObjectOptions{})
	if err == nil {
		return true, nil
	}
	if resp := minio.ToErrorResponse(err); resp.Code == "NoSuchKey" || resp.StatusCode == 404 {
		return false, nil
	}
	return false, fmt.Errorf("%s: %w", u, describe(err))
}

// describeMissing is describe for a HEAD request, whose 404 has no body
// to say whether the key or the whole bucket is missing: ask.
func (s *Store) describeMissing(ctx context.Context, bucket string, err error) error {
	if resp := minio.ToErrorResponse(err); resp.Code == "NoSuchKey" || resp.StatusCode == 404 {
		if ok, berr := s.c.BucketExists(ctx, bucket); berr == nil && !ok {
			return errors.New("no such bucket")
		}
	}
	return describe(err)
}

// describe shortens minio-go's errors to what a user acts on.
func describe(err error) error {
	resp := minio.ToErrorResponse(err)
	switch resp.Code {
	case "NoSuchKey":
		return errors.New("no such object")
	case "NoSuchBucket":
		return errors.New("no such bucket")
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch":
		return fmt.Errorf("%s (%s): check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws/credentials", resp.Message, resp.Code)
	}
	return err
}

// CheckBucket fails, naming u, when u's bucket does not exist or these
// credentials may not see it.
func (s *Store) CheckBucket(ctx context.Context, u URL) error {
	ok, err := s.c.BucketExists(ctx, u.Bucket)
	if err != nil {
		return fmt.Errorf("%s: %w", u, describe(err))
	}
	if !ok {
		return fmt.Errorf("%s: no such bucket", u)
	}
	return nil
}
