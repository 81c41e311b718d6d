package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nfdataset/nfdataset/pipeline"
)

// interruptedError is a build aborted by a second signal: exit status 130,
// as a shell reports a process ended by SIGINT.
type interruptedError struct{ dir string }

func (e interruptedError) Error() string {
	return fmt.Sprintf("interrupted: the capture was aborted; nothing half-written was published in %s", e.dir)
}

func (interruptedError) ExitCode() int { return 130 }

func hasLive(plan *pipeline.Plan) bool {
	for _, j := range plan.Jobs {
		if j.Input.Live != nil {
			return true
		}
	}
	return false
}

// liveSignals gives a build with live inputs two contexts: stop ends on the
// first SIGINT/SIGTERM (or when ctx ends), which stops the captures and
// finishes the dataset; abort ends on the second, which abandons it.
func liveSignals(ctx context.Context, stderr io.Writer) (stop, abort context.Context, release func()) {
	stop, cancelStop := context.WithCancel(context.WithoutCancel(ctx))
	abort, cancelAbort := context.WithCancel(context.WithoutCancel(ctx))
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		n := 0
		ctxDone := ctx.Done()
		for {
			select {
			case <-done:
				return
			case <-ctxDone:
				ctxDone = nil
				cancelStop()
			case s := <-sigs:
				n++
				if n == 1 {
					fmt.Fprintf(stderr, "\r%v: stopping the capture and finishing the dataset (again to abort)\n", s)
					cancelStop()
					continue
				}
				cancelAbort()
				return
			}
		}
	}()
	return stop, abort, func() {
		signal.Stop(sigs)
		close(done)
		cancelStop()
		cancelAbort()
	}
}

// liveProgressLine is build's progress line while a capture runs: a
// capture has no size to show a bar for, so it shows the capture's
// counters at its last tick (updated every second).
func liveProgressLine(s pipeline.Snapshot, now time.Time) string {
	l := s.Live
	evicted := ""
	if l.Evicted > 0 {
		evicted = fmt.Sprintf(" (%d evicted)", l.Evicted)
	}
	return fmt.Sprintf("capturing %s %s  %d packets  %d dropped  %d flows%s  jobs %d/%d",
		l.Interface, now.Sub(l.Since).Round(time.Second), l.Packets, l.Dropped, l.Flows, evicted, s.JobsDone, s.JobsTotal)
}
