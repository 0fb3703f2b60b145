package main

import (
	"context"
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
	"github.com/dsengine/dsengine/ds/verify"
	"golang.org/x/term"
)

// downloadDS runs a regular (forced false) or forced download and installs
// what it fetched through the lifecycle manager; the daemon's periodic
// download and the `download` command both come here.
func downloadDS(ctx context.Context, cfg *config.Config, store *bootflash.Store, mgr *lifecycle.Manager, clock ds.Clock,
	forced bool, ids []string, progress func(download.Progress)) (*download.Result, error) {
	if cfg.DiagnosticSignature.Repository == "" {
		return nil, fmt.Errorf("no DS repository is configured; add `repository https://...` under `call-home` → `diagnostic-signature`")
	}
	var paths []string
	for _, k := range cfg.DiagnosticSignature.TrustKeys {
		paths = append(paths, k.Path)
	}
	keys, err := verify.LoadKeyring(paths...)
	if err != nil {
		return nil, err
	}
	opts := download.OptionsFromConfig(cfg)
	opts.Keyring, opts.Versions, opts.Clock, opts.Progress = keys, store, clock, progress
	opts.Serial = actions.HostDevice().Serial
	if opts.Hostname == "" {
		opts.Hostname = hostInfo(cfg).Hostname
	}
	opts.Install = func(items []download.Item) error {
		files := make([]lifecycle.Downloaded, 0, len(items))
		for _, it := range items {
			files = append(files, lifecycle.Downloaded{ID: it.ID, XML: it.XML, ASC: it.ASC})
		}
		_, err := mgr.InstallDownloaded(files)
		return err
	}
	client, err := download.New(opts)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	res, err := client.Download(ctx, download.Request{Forced: forced, IDs: ids,
		Installed: download.InstalledFromEntries(store.List())})
	if res != nil {
		for _, d := range res.DS {
			_ = mgr.RecordDownload(d.ID, d.Record())
		}
	}
	return res, err
}

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
		res, err := downloadDS(e.ctx, cfg, store, mgr, ds.RealClock{}, true, ids, progress)
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
