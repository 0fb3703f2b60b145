package lifecycle

import (
	"fmt"

	"github.com/dsengine/dsengine/bootflash"
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
