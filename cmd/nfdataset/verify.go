package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/nfdataset/nfdataset/pipeline"
	"github.com/nfdataset/nfdataset/stages/objstore"
)

func init() {
	register("verify", "check a dataset's files against its dataset.json (and, with --against, a published one)", runVerify)
}

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify", "verify [--against PUBLISHED] DIR|s3://BUCKET/PREFIX", stderr)
	against := fs.String("against", "", "a published dataset.json, its directory, or an https:// URL of either, that this dataset must reproduce")
	pos, err := parseCommand(fs, args, 1, "one dataset DIR")
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	var diffs []string
	if objstore.IsURL(pos[0]) {
		u, perr := objstore.Parse(pos[0])
		if perr != nil {
			return perr
		}
		diffs, err = pipeline.VerifyS3(ctx, u, *against, nil)
	} else {
		diffs, err = pipeline.Verify(pos[0], *against)
	}
	if err != nil {
		return err
	}
	if len(diffs) > 0 {
		for _, d := range diffs {
			fmt.Fprintln(stdout, d)
		}
		return fmt.Errorf("%s: %d difference(s)", pos[0], len(diffs))
	}
	if *against != "" {
		fmt.Fprintf(stdout, "%s: ok, every file matches dataset.json and reproduces %s\n", pos[0], *against)
	} else {
		fmt.Fprintf(stdout, "%s: ok, every file matches dataset.json\n", pos[0])
	}
	return nil
}
