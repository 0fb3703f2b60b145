package download

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/ds/repo"
	"github.com/dsengine/dsengine/ds/verify"
)

// Installed is a DS on the device, as the request reports it.
type Installed struct {
	ID       string
	Revision ds.Revision
	Status   ds.Status
}

// InstalledFromEntries lists the DS of the store's entries (Store.List).
// A DS whose stored files failed the store's check is listed without a
// revision, so that a regular download fetches it again and repairs it.
func InstalledFromEntries(entries []bootflash.Entry) []Installed {
	out := make([]Installed, 0, len(entries))
	for _, e := range entries {
		in := Installed{ID: e.ID, Revision: e.Revision, Status: e.Status}
		if e.CheckFailed {
			in.Revision = ""
		}
		out = append(out, in)
	}
	return out
}

// Request says what to download.
type Request struct {
	// Forced fetches regardless of the installed revisions
	// (`download ID|all`); a regular download fetches only DS whose
	// revision differs.
	Forced bool
	// IDs, for a forced download, names the DS to fetch, assigned to the
	// device's profile or not; empty means every DS assigned to it.
	IDs []string
	// Installed is what the device runs: reported to the server, and the
	// revisions a regular download compares with.
	Installed []Installed
}

// Download runs one download: it obtains and checks the index, fetches
// the DS to fetch (see Request), verifies each, and hands the verified ones
// to Options.Install. The Result is never nil. The error is nil when
// everything to fetch was installed; otherwise it says why the index was
// refused (nothing fetched) or joins the failures of the DS that failed
// (the others were installed).
func (c *Client) Download(ctx context.Context, req Request) (*Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	clock := c.opts.Clock
	res := &Result{Forced: req.Forced, Started: clock.Now()}
	var total atomic.Int64
	finish := func() {
		res.Bytes = total.Load()
		res.Duration = clock.Now().Sub(res.Started)
		res.tally()
	}

	ix, err := c.index(ctx, req, res, &total)
	if err != nil {
		finish()
		c.opts.Logger.Error("download: index refused", "repository", c.base, "err", err)
		return res, fmt.Errorf("download: %w", err)
	}

	installed := make(map[string]ds.Revision, len(req.Installed))
	for _, in := range req.Installed {
		installed[in.ID] = in.Revision
	}
	todo := c.selectDS(ix, req, installed, res)
	c.fetchAll(ctx, todo, installed, res, &total)
	slices.SortFunc(res.DS, func(a, b DSResult) int { return compareIDs(a.ID, b.ID) })
	finish()
	var errs []error
	for _, d := range res.DS {
		if d.Outcome == Failed {
			errs = append(errs, fmt.Errorf("DS %s: %w", d.ID, d.Err))
		}
	}
	c.opts.Logger.Info("download: done", "repository", c.base, "summary", res.String())
	return res, errors.Join(errs...)
}

// index obtains the index — by POST, else from the files — and accepts it
// if VerifyIndex does against the last version accepted, which it then
// raises.
func (c *Client) index(ctx context.Context, req Request, res *Result, total *atomic.Int64) (*verify.Index, error) {
	last, err := c.lastVersion()
	if err != nil {
		return nil, err
	}
	data, asc, source, err := c.fetchIndex(ctx, req, total)
	if err != nil {
		return nil, err
	}
	name := c.base + "/" + verify.IndexFile
	if source == SourceRequest {
		name = c.base + "/" + repo.RequestPath
	}
	if len(asc) == 0 {
		return nil, &verify.Error{Kind: verify.ErrNoSignature, File: name, Msg: fmt.Sprintf(
			"the repository serves the index without its signature (%s or the %s header), refused; the publisher must run `dsengine repo build`",
			verify.IndexSignatureFile, repo.SignatureHeader)}
	}
	ix, signer, err := c.opts.Keyring.VerifyIndex(name, data, asc, c.opts.Clock.Now(), last)
	if err != nil {
		return nil, err
	}
	if ix.Version > last {
		if err := c.opts.Versions.SetValue(c.key, strconv.FormatUint(ix.Version, 10)); err != nil {
			return nil, fmt.Errorf("cannot record index version %d, which rollback protection needs: %w", ix.Version, err)
		}
	}
	res.Source, res.Version, res.Signer = source, ix.Version, signer
	return ix, nil
}

// lastVersion is the highest index version accepted from this repository.
func (c *Client) lastVersion() (uint64, error) {
	s, ok := c.opts.Versions.Value(c.key)
	if !ok || s == "" {
		return 0, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("the stored index version %q of this repository is not a number; refusing to guess (rollback protection)", s)
	}
	return v, nil
}

// fetchIndex POSTs the request; on 404, 405 or 501 (a server that only
// serves files) it GETs index.xml and index.xml.asc instead. A missing
// signature gives a nil asc, which VerifyIndex refuses.
func (c *Client) fetchIndex(ctx context.Context, req Request, total *atomic.Int64) (data, asc []byte, source Source, err error) {
	body, err := c.requestBody(req)
	if err != nil {
		return nil, nil, "", err
	}
	fallback := false
	err = c.retry(ctx, repo.RequestPath, func() error {
		a, err := c.do(ctx, http.MethodPost, repo.RequestPath, body, verify.MaxIndexSize, total)
		if err != nil {
			return err
		}
		switch a.status {
		case http.StatusOK:
			data = a.body
			asc, err = signatureHeader(c.base+"/"+repo.RequestPath, a.header)
			return err
		case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
			fallback = true
			return nil
		}
		return statusErr(a)
	})
	if err != nil {
		return nil, nil, "", indexFetchErr(c.base+"/"+repo.RequestPath, err)
	}
	if !fallback {
		return data, asc, SourceRequest, nil
	}
	c.opts.Logger.Debug("download: no DS server, reading the index files", "repository", c.base)
	data, found, err := c.get(ctx, verify.IndexFile, verify.MaxIndexSize, total)
	if err != nil {
		return nil, nil, "", indexFetchErr(c.base+"/"+verify.IndexFile, err)
	}
	if !found {
		return nil, nil, "", fmt.Errorf("%s/%s: not found; is the repository URL right, and was `dsengine repo build` run?", c.base, verify.IndexFile)
	}
	asc, _, err = c.get(ctx, verify.IndexSignatureFile, verify.MaxSignatureSize, total)
	if err != nil {
		return nil, nil, "", indexFetchErr(c.base+"/"+verify.IndexSignatureFile, err)
	}
	return data, asc, SourceFiles, nil
}

// requestBody encodes the regular download request.
func (c *Client) requestBody(req Request) ([]byte, error) {
	r := repo.Request{Hostname: c.opts.Hostname, Serial: c.opts.Serial, Profile: c.opts.Profile}
	for _, in := range req.Installed {
		r.DS = append(r.DS, repo.RequestDS{ID: in.ID, Revision: in.Revision, Status: in.Status})
	}
	return r.Marshal()
}

// signatureHeader decodes X-DS-Signature; none gives nil.
func signatureHeader(name string, h http.Header) ([]byte, error) {
	vals := h.Values(repo.SignatureHeader)
	switch {
	case len(vals) == 0:
		return nil, nil
	case len(vals) > 1:
		return nil, &verify.Error{Kind: verify.ErrMalformedSignature, File: name, Msg: "the answer has several " + repo.SignatureHeader + " headers, refused"}
	}
	v := strings.TrimSpace(vals[0])
	if len(v) > base64.StdEncoding.EncodedLen(verify.MaxSignatureSize) {
		return nil, &verify.Error{Kind: verify.ErrMalformedSignature, File: name, Msg: "the " + repo.SignatureHeader + " header is too long, refused"}
	}
	asc, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, &verify.Error{Kind: verify.ErrMalformedSignature, File: name, Msg: "the " + repo.SignatureHeader + " header is not base64, refused", Err: err}
	}
	if len(asc) == 0 {
		return nil, nil
	}
	return asc, nil
}

// indexFetchErr names the file in a failure to fetch the index.
func indexFetchErr(name string, err error) error {
	var tl *tooLargeError
	if errors.As(err, &tl) {
		return &verify.Error{Kind: verify.ErrMalformedIndex, File: name, Msg: tl.Error(), Err: tl}
	}
	var ve *verify.Error
	if errors.As(err, &ve) {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// get GETs rel with retries, reading at most limit bytes; a 404 gives
// found false.
func (c *Client) get(ctx context.Context, rel string, limit int64, counter *atomic.Int64) (data []byte, found bool, err error) {
	err = c.retry(ctx, rel, func() error {
		a, err := c.do(ctx, http.MethodGet, rel, nil, limit, counter)
		if err != nil {
			return err
		}
		switch a.status {
		case http.StatusOK:
			data, found = a.body, true
			return nil
		case http.StatusNotFound:
			return nil
		}
		return statusErr(a)
	})
	return data, found, err
}

// selectDS decides which DS to fetch, recording the others in res: a
// forced download of IDs takes those of the index (a missing one fails);
// otherwise the DS assigned to the profile, less, for a regular download,
// those installed at the index's revision.
func (c *Client) selectDS(ix *verify.Index, req Request, installed map[string]ds.Revision, res *Result) []verify.IndexEntry {
	now := c.opts.Clock.Now()
	var todo []verify.IndexEntry
	if req.Forced && len(req.IDs) > 0 {
		seen := map[string]bool{}
		for _, id := range req.IDs {
			if seen[id] {
				continue
			}
			seen[id] = true
			e, ok := ix.Entry(id)
			if !ok {
				res.DS = append(res.DS, DSResult{ID: id, Installed: installed[id], Outcome: Failed, Attempted: now,
					Err: fmt.Errorf("not in the repository index (version %d)", ix.Version)})
				continue
			}
			todo = append(todo, e)
		}
		return todo
	}
	for _, e := range ix.Assigned(c.opts.Profile) {
		if rev, ok := installed[e.ID]; ok && !req.Forced && rev != "" && rev.Compare(e.Revision) == 0 {
			res.DS = append(res.DS, DSResult{ID: e.ID, Revision: e.Revision, Installed: rev, Outcome: Unchanged, Attempted: now})
			continue
		}
		todo = append(todo, e)
	}
	return todo
}

// fetchAll fetches, verifies and installs todo in batches whose sizes, as
// the index lists them, stay within BatchBytes, so memory stays bounded:
// each batch is fetched by Parallel workers, then its verified DS go to
// Install in one call.
func (c *Client) fetchAll(ctx context.Context, todo []verify.IndexEntry, installed map[string]ds.Revision, res *Result, total *atomic.Int64) {
	p := &progress{fn: c.opts.Progress, total: len(todo), bytes: total}
	for len(todo) > 0 {
		n, size := 0, int64(0)
		for n < len(todo) && (n == 0 || size+todo[n].Size+verify.MaxSignatureSize <= c.opts.BatchBytes) {
			size += todo[n].Size + verify.MaxSignatureSize
			n++
		}
		batch := todo[:n]
		todo = todo[n:]
		results := make([]DSResult, len(batch))
		items := make([]*Item, len(batch))
		c.fetchBatch(ctx, batch, results, items, total, p)
		var ok []Item
		var okIdx []int
		for i, it := range items {
			if it != nil {
				ok = append(ok, *it)
				okIdx = append(okIdx, i)
			}
		}
		if len(ok) > 0 {
			if err := c.opts.Install(ok); err != nil {
				for _, i := range okIdx {
					results[i].Outcome, results[i].Err = Failed, fmt.Errorf("install: %w", err)
				}
			}
		}
		for i := range results {
			results[i].Installed = installed[results[i].ID]
		}
		res.DS = append(res.DS, results...)
	}
}

// fetchBatch fetches each entry of batch with Parallel workers, filling
// results and, for the DS that pass every check, items.
func (c *Client) fetchBatch(ctx context.Context, batch []verify.IndexEntry, results []DSResult, items []*Item, total *atomic.Int64, p *progress) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(c.opts.Parallel, len(batch)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				e := batch[i]
				start := c.opts.Clock.Now()
				var n atomic.Int64
				item, err := c.fetchDS(ctx, e, &n)
				total.Add(n.Load())
				r := DSResult{ID: e.ID, Revision: e.Revision, Outcome: Fetched, Bytes: n.Load(),
					Attempted: start, Duration: c.opts.Clock.Now().Sub(start)}
				if err != nil {
					r.Outcome, r.Err = Failed, err
					c.opts.Logger.Warn("download: DS refused", "id", e.ID, "revision", e.Revision, "err", err)
				}
				results[i], items[i] = r, item
				p.done(e.ID, err)
			}
		}()
	}
	for i := range batch {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
}

// fetchDS fetches one DS and its signature and checks them: size and
// SHA-256 against the index (the body is cut at the listed size), the
// signature against the keyring, and the parsed DS's id and revision
// against the index.
func (c *Client) fetchDS(ctx context.Context, e verify.IndexEntry, counter *atomic.Int64) (*Item, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	url := c.base + "/" + e.Path
	data, found, err := c.get(ctx, e.Path, e.Size, counter)
	var tl *tooLargeError
	switch {
	case errors.As(err, &tl):
		msg := fmt.Sprintf("the server sends more than the %d bytes the index lists (endless data or another file), refused", e.Size)
		if tl.announce > e.Size {
			msg = fmt.Sprintf("the server announces %d bytes, more than the %d the index lists (endless data or another file), refused", tl.announce, e.Size)
		}
		return nil, &verify.Error{Kind: verify.ErrMismatch, File: url, Msg: msg, Err: tl}
	case err != nil:
		return nil, fmt.Errorf("%s: %w", url, err)
	case !found:
		return nil, fmt.Errorf("%s: not found, though the index lists it", url)
	}
	if err := e.Check(data); err != nil {
		var ve *verify.Error
		if errors.As(err, &ve) {
			ve.File = url
		}
		return nil, err
	}
	asc, _, err := c.get(ctx, e.Path+".asc", verify.MaxSignatureSize, counter)
	switch {
	case errors.As(err, &tl):
		return nil, &verify.Error{Kind: verify.ErrMalformedSignature, File: url + ".asc", Msg: tl.Error(), Err: tl}
	case err != nil:
		return nil, fmt.Errorf("%s.asc: %w", url, err)
	}
	signer, err := c.opts.Keyring.VerifyDetached(url, data, asc, c.opts.Clock.Now())
	if err != nil {
		return nil, err
	}
	sig, err := parse.ParseSignature(url, data)
	if err != nil {
		return nil, err
	}
	if sig.ID != e.ID || sig.Revision != e.Revision {
		return nil, &verify.Error{Kind: verify.ErrMismatch, File: url, Msg: fmt.Sprintf(
			"holds DS %s revision %s, the index lists DS %s revision %s; refused", sig.ID, sig.Revision, e.ID, e.Revision)}
	}
	return &Item{ID: e.ID, Revision: e.Revision, XML: data, ASC: asc, Signature: sig, Signer: signer}, nil
}

// progress serialises the Progress calls.
type progress struct {
	fn    func(Progress)
	mu    sync.Mutex
	n     int
	total int
	bytes *atomic.Int64
}

// done reports one more DS finished.
func (p *progress) done(id string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.fn != nil {
		p.fn(Progress{Done: p.n, Total: p.total, Bytes: p.bytes.Load(), ID: id, Err: err})
	}
}

// compareIDs orders DS ids numerically (valid ids have no leading zero).
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}
