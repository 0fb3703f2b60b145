package download

import (
	"fmt"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/verify"
)

// Item is a DS that passed every check: its size and SHA-256 are the
// index's, its signature is good, and it parses as the DS id and revision
// the index lists. XML and ASC are exactly the bytes downloaded.
type Item struct {
	ID        string
	Revision  ds.Revision
	XML, ASC  []byte
	Signature *ds.Signature // parsed from XML
	Signer    *verify.Signer
}

// Progress is reported after each DS fetched or failed.
type Progress struct {
	Done, Total int    // DS finished, of those to fetch
	Bytes       int64  // transferred so far, index included
	ID          string // the DS just finished
	Err         error  // why it failed; nil if fetched
}

// Outcome is what a download did with one DS.
type Outcome string

// The outcomes.
const (
	Fetched   Outcome = "fetched"   // downloaded, verified and installed
	Unchanged Outcome = "unchanged" // the installed revision is the index's: nothing fetched
	Failed    Outcome = "failed"    // see Err; nothing of it was installed
)

// DSResult is the outcome for one DS.
type DSResult struct {
	ID        string
	Revision  ds.Revision // in the index; empty if the DS is not in it
	Installed ds.Revision // on the device before the download; empty if none
	Outcome   Outcome
	Err       error // why it failed
	Bytes     int64 // transferred for it, both files and every attempt
	Attempted time.Time
	Duration  time.Duration
}

// Record is the DS's download record for the store (show call-home
// diagnostic-signature ID download): Result is "ok", "unchanged" or the
// error text.
func (r DSResult) Record() bootflash.Download {
	d := bootflash.Download{LastAttempt: r.Attempted, Bytes: r.Bytes, Duration: r.Duration}
	switch r.Outcome {
	case Fetched:
		d.Result = "ok"
	case Unchanged:
		d.Result = "unchanged"
	default:
		if r.Err != nil {
			d.Result = r.Err.Error()
		} else {
			d.Result = "failed"
		}
	}
	return d
}

// Source says how the index was obtained.
type Source string

// The sources of an index.
const (
	SourceRequest Source = "request"   // the answer to POST <repository>/request
	SourceFiles   Source = "index.xml" // GET index.xml and index.xml.asc (a plain file server)
)

// Result summarises a download.
type Result struct {
	Forced  bool
	Source  Source         // empty if no index was obtained
	Version uint64         // of the index accepted; 0 if none was
	Signer  *verify.Signer // of the index
	// DS lists every DS considered, by id: those of the index the device
	// should have, or those a forced download named.
	DS                         []DSResult
	Fetched, Unchanged, Failed int
	Bytes                      int64 // body bytes transferred, index included
	Started                    time.Time
	Duration                   time.Duration
}

// String is a one-line summary.
func (r *Result) String() string {
	mode := "regular"
	if r.Forced {
		mode = "forced"
	}
	idx := "no index"
	if r.Version != 0 {
		idx = fmt.Sprintf("index version %d (%s)", r.Version, r.Source)
	}
	return fmt.Sprintf("%s download, %s: %d fetched, %d unchanged, %d failed, %d bytes in %s",
		mode, idx, r.Fetched, r.Unchanged, r.Failed, r.Bytes, r.Duration.Round(time.Millisecond))
}

// Get returns the result of DS id.
func (r *Result) Get(id string) (DSResult, bool) {
	for _, d := range r.DS {
		if d.ID == id {
			return d, true
		}
	}
	return DSResult{}, false
}

// tally counts the outcomes.
func (r *Result) tally() {
	r.Fetched, r.Unchanged, r.Failed = 0, 0, 0
	for _, d := range r.DS {
		switch d.Outcome {
		case Fetched:
			r.Fetched++
		case Unchanged:
			r.Unchanged++
		default:
			r.Failed++
		}
	}
}
