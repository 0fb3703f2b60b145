package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/download"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"golang.org/x/term"
)

// runDownload is `call-home diagnostic-signature download ID|all`, the
// forced download.
func runDownload(e *env, _ *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("name one DS id, or all")
	}
	var ids []string
	if args[0] != "all" {
		if err := bootflash.ValidID(args[0]); err != nil {
			return usagef("%v", err)
		}
		ids = []string{args[0]}
	}
	return e.withStore(false, func(cfg *config.Config, store *bootflash.Store, mgr *lifecycle.Manager) error {
		var progress func(download.Progress)
		if isTerminal(e.stdout) {
			progress = func(p download.Progress) {
				status := "ok"
				if p.Err != nil {
					status = "failed"
				}
				fmt.Fprintf(e.stdout, "\r[%d/%d] %s bytes, DS %s %s   ", p.Done, p.Total, humanBytes(p.Bytes), p.ID, status)
				if p.Done == p.Total {
					fmt.Fprintln(e.stdout)
				}
			}
		}
		res, err := mgr.Download(e.ctx, cfg, lifecycle.DownloadRequest{Forced: true, IDs: ids, Clock: ds.RealClock{},
			Serial: actions.HostDevice().Serial, Progress: progress})
		if res != nil {
			fmt.Fprintln(e.stdout, res.String())
			for _, d := range res.DS {
				if d.Err != nil {
					fmt.Fprintf(e.stdout, "  DS %s: %v\n", d.ID, d.Err)
				}
			}
		}
		if err != nil {
			return err
		}
		if res.Failed > 0 {
			return errSilent
		}
		return nil
	})
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d", n)
}
