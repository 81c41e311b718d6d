// Package objstore reads captures from and publishes datasets to S3 (and
// S3-compatible servers such as MinIO) for builds whose inputs or output
// live on object storage: s3://bucket/key URLs and globs over a prefix,
// ranged reads, and the atomic publish rule of a local output folder (the
// parts first, dataset.json last, so that a reader never sees a dataset
// that is not complete).
//
// The client is minio-go v7: it signs with SigV4, splits large uploads
// into multipart uploads (never listed before they complete), reads
// credentials from the usual AWS environment variables, the shared
// credentials file and instance roles, and works against AWS and every
// S3-compatible server. Writing and keeping all of that ourselves would
// cost more than the dependency.
//
// FromEnv adds what minio-go does not read: the region and endpoint_url
// of the profile in ~/.aws/config, so that a profile set up for the AWS
// CLI works unchanged.
//
// The tests run against gofakes3 (an in-memory S3 in Go) served over HTTP
// on 127.0.0.1 by objstoretest, the S3-compatible server a test can start
// here (MinIO's server module is not served by the Go module proxy).
//
// Imports: the standard library and minio-go only (no package of ours), so
// that stages' sources and pipeline's planner may both use it.
package objstore
