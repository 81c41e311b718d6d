//go:build !linux

package stages

import (
	"context"
	"time"
)

// PollProcesses does nothing where /proc is not available.
func PollProcesses(ctx context.Context, t *ProcessTable, interval time.Duration) { <-ctx.Done() }
