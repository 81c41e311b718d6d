// Package objstoretest starts an S3-compatible server for tests: gofakes3
// (an in-memory S3 implementation) served over net/http on 127.0.0.1.
// MinIO's server module is not served by the Go module proxy here, so
// this is the "S3 server started by the test" of issue 13; a real server
// can be used instead through NFDATASET_TEST_S3_ENDPOINT (see Endpoint).
//
// It imports nothing of nfdataset, so that objstore's own tests and the
// tests of the packages above it (pipeline, cmd/nfdataset) can share it.
package objstoretest
