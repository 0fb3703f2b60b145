package lifecycle

import (
	"context"
	"errors"
	"fmt"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/download"
	"github.com/dsengine/dsengine/ds/verify"
)

// Downloaded is a DS file and its signature as a download brought them.
type Downloaded struct {
	ID       string
	XML, ASC []byte
	// Record is the download record kept for `show ... ID download`.
	Record bootflash.Download
}

// InstallDownloaded stores downloaded DS in one batch, each checked again
// by the store (nothing unverified is ever stored), with its status decided
// from the prompt answers it already has: a DS with unanswered prompts is
// pending until `install ID` answers them. If one DS fails its check,
// none of the batch is stored.
func (m *Manager) InstallDownloaded(files []Downloaded) ([]Result, error) {
	loadedFiles := make([]loaded, 0, len(files))
	records := map[string]bootflash.Download{}
	for _, f := range files {
		c, err := m.store.Check(f.ID, f.XML, f.ASC)
		if err != nil {
			return nil, fmt.Errorf("refused, nothing installed: %w", err)
		}
		loadedFiles = append(loadedFiles, loaded{c, len(f.XML) + len(f.ASC)})
		records[f.ID] = f.Record
	}
	results, err := m.installChecked(loadedFiles, nil, nil)
	if err != nil {
		return results, err
	}
	updates := map[string]func(*bootflash.Entry){}
	for id, rec := range records {
		updates[id] = func(e *bootflash.Entry) { e.Download = rec }
	}
	return results, m.store.UpdateBatch(updates)
}

// RecordDownload keeps the record of a download attempt that stored
// nothing (the DS was unchanged, or failed) for a DS in the store.
func (m *Manager) RecordDownload(id string, rec bootflash.Download) error {
	if _, ok := m.store.Get(id); !ok {
		return nil
	}
	return m.store.Update(id, func(e *bootflash.Entry) { e.Download = rec })
}

// DownloadRequest is one run of the DS download.
type DownloadRequest struct {
	// Forced fetches every DS asked for (`download ID|all`); otherwise
	// only the changed revisions are (the regular download).
	Forced bool
	IDs    []string // nil: every DS assigned to the profile
	Clock  ds.Clock // retries and the index's expiry
	// Serial names the device to the repository.
	Serial   string
	Progress func(download.Progress) // nil: none
}

// Download fetches DS from the configured repository, verifies them, and
// installs what it fetched in one batch; the daemon's regular download
// and the `download` command both come here. The result records each DS.
// Once ctx ends, nothing more is installed.
func (m *Manager) Download(ctx context.Context, cfg *config.Config, req DownloadRequest) (*download.Result, error) {
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
	opts.Keyring, opts.Versions, opts.Clock, opts.Progress = keys, m.store, req.Clock, req.Progress
	opts.Serial = req.Serial
	if opts.Hostname == "" {
		opts.Hostname = m.host.Hostname
	}
	opts.Install = func(items []download.Item) error {
		// A canceled download (Ctrl-C on the CLI, the daemon stopping)
		// installs nothing more: what it installed before stays, each DS
		// whole, as each batch is one atomic write.
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("canceled, not installed: %w", context.Cause(ctx))
		}
		files := make([]Downloaded, 0, len(items))
		for _, it := range items {
			files = append(files, Downloaded{ID: it.ID, XML: it.XML, ASC: it.ASC})
		}
		_, err := m.InstallDownloaded(files)
		return err
	}
	client, err := download.New(opts)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	res, err := client.Download(ctx, download.Request{Forced: req.Forced, IDs: req.IDs,
		Installed: download.InstalledFromEntries(m.store.List())})
	if res != nil {
		for _, d := range res.DS {
			if rerr := m.RecordDownload(d.ID, d.Record()); rerr != nil {
				err = errors.Join(err, fmt.Errorf("DS %s: download record: %w", d.ID, rerr))
			}
		}
	}
	return res, err
}
