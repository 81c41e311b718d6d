package pipeline

import "fmt"

// ManifestError points at what the user must fix in a manifest: the file,
// the line (1-based; 0 when unknown) and the key ("features.splt.n",
// "input[1].sha256"). The command line maps it to exit status 2.
type ManifestError struct {
	File string
	Line int
	Key  string
	Err  error
}

func (e *ManifestError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Key == "" {
		return fmt.Sprintf("%s: %v", loc, e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", loc, e.Key, e.Err)
}

func (e *ManifestError) Unwrap() error { return e.Err }

// ExitCode makes the command line exit with status 2 (usage or manifest
// error).
func (e *ManifestError) ExitCode() int { return 2 }
