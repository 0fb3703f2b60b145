// Package bootflash is the persistent DS store: verified DS files, their
// state and the call-home outbox under <bootflash>/call_home/, written only
// through crash-safe atomic writes.
//
// # Layout
//
//	<root>/call_home/<id>.xml, <id>.xml.asc   verified DS files, exactly as downloaded
//	<root>/call_home/state.json               statuses, prompt answers, statistics, store-wide values
//	<root>/call_home/values.json              values DS scripts store (appl_setinfo), per DS
//	<root>/call_home/outbox/                  call-home messages not yet delivered
//	<root>/call_home/ratelimit.json           call-home admissions of the last minute (the rate limit)
//	<root>/call_home/.lock                    advisory lock; holds the owner's pid
//	<root>/call_home/batch.journal            a write in progress (see below)
//	<root>/call_home/<id>.journal             the same, from an older dsengine
//
// # Write protocol
//
// A file written alone (an outbox message, ratelimit.json, state.json for
// Update, UpdateBatch and SetValue, values.json for SetValue of a script's
// value) goes to a temporary file in its final directory (named
// ".<name>.tmp-*"), which is fsynced, renamed over the final name, and the
// directory is fsynced. That makes one file atomic, but a DS is two files
// (<id>.xml and <id>.xml.asc) plus its entry in state.json, and they must
// change together: a new .asc beside an old .xml does not verify. And
// installing many DSes should not cost many fsyncs each. So every Put,
// Remove, PutBatch and RemoveBatch is a batch — Put and Remove are batches
// of one — written with a redo journal:
//
//  1. Check every item (PutBatch: the caller's Check, unless Store.Check
//     already did) and refuse the whole batch if one fails. Encode the new
//     state.json once, and the journal: every item's operation, files and
//     complete new entry.
//  2. Stage: write each new <id>.xml and <id>.xml.asc to a temporary file,
//     and the new state.json to a temporary file that is fsynced. The DS
//     files of a batch of more than a few are not fsynced one by one (see
//     step 4); those of a small batch are. A failure here removes the
//     temporary files: the store is unchanged.
//  3. Commit: write batch.journal to a temporary file, fsync it, rename it
//     into place and fsync the directory. This rename is the commit point:
//     before it, nothing changed; after it, the batch will complete, now
//     or at the next Open, and no old file is replaced before the journal
//     is durable.
//  4. Apply: unlink the files of removed DSes, rename every staged file
//     into place (state.json last), then make it all durable: one
//     syncfs(2) when the DS files were staged without fsync, and a
//     directory fsync. The number of fsyncs is constant, not per DS.
//  5. Unlink the journal, without an fsync of its own: the next write's
//     commit makes the unlink durable, and if a power loss undoes it
//     before then, nothing written after it was durable either, so
//     replaying the journal restores exactly the state the batch left.
//
// state.json is always fsynced before its rename because no journal could
// rebuild it: a power loss must never leave it empty. The DS files need not
// be: until step 4 has made them durable, the journal that can rewrite
// them is still there. After a crash at most one journal exists, since
// each commit makes the previous journal's unlink durable.
//
// Open replays batch.journal (and any <id>.journal left by an older
// dsengine, whose Put and Remove used one journal per DS) item by item:
// it rewrites each DS's files and entry from the journal, or removes them,
// which is idempotent; then it syncs the filesystem, writes state.json and
// only then removes the journals. A crash at any moment therefore leaves
// either all of a batch's DSes and entries in their old state or all in
// their new one, never a mix, and state.json always parses because it is
// only ever replaced by rename. Leftover temporary files are deleted by
// Open.
//
// state.json is rewritten whole on every write, but each entry's JSON text
// is cached and only the entries that changed are encoded again, so a
// write costs a copy of the file rather than a marshalling of every entry.
//
// # Recovery on Open
//
// Open re-checks every stored DS with the caller's Check function (verify
// and parse). A DS that fails — a damaged file, a missing .asc, an
// untrusted key — becomes failed with the reason and is never returned as
// runnable (its Entry.Signature is nil); its files are left on disk
// untouched so they can be inspected. Files without state are adopted as
// downloaded, state without files is dropped, and a corrupt state.json is
// renamed to state.json.corrupt-<time> and rebuilt from the files, keeping
// the store-wide values read before the damage (they come first in the
// file), so that the repository index versions of rollback protection
// survive. Each of these is reported in Warnings.
//
// # Script values
//
// The values a DS's scripts store (SetValue of "appl/<id>/<name>", Lua's
// appl_setinfo) are kept in values.json, not in state.json: hostile signed
// content can fill them, and they must not take the statuses, prompt
// answers, statistics and index versions down with them. Each DS may store
// at most Options.Values (default 64 values, 256 KiB in all, 64 KiB each);
// a SetValue over a limit is refused with ErrValueLimit, and values.json
// is never written past MaxValuesSize. A values.json that cannot be read
// is set aside as values.json.corrupt-<time>, and Open goes on without the
// scripts' values, saying so in Warnings. The values of a removed DS go
// with it. The appl/ values an older dsengine kept in state.json move to
// values.json at Open, within the limits; state.json is never written past
// MaxStateSize but read up to 1 GiB, so that a store that older dsengine
// let grow opens with its statuses. The free texts of an entry (failure
// reason, last action result, download result) are cut to MaxEntryText.
//
// # Private directories
//
// The daemon usually runs as root, so a directory of the store that
// another user can write would let that user plant a symbolic link (to
// have root truncate or overwrite a file of their choosing through .lock,
// state.json or outbox/, or send it out as a call-home message) or a file
// the store trusts by name (state.json, values.json, a journal). So Open
// refuses, with an UnsafePathError that names the path and the fix:
//
//   - a bootflash root, call_home or outbox that is a symbolic link, is not
//     a directory, or is not owned by the running user (a ReadOnly store
//     also accepts root);
//   - a call_home or outbox writable by group or others;
//   - a bootflash root writable by group or others, unless it is sticky
//     (others cannot rename or remove what the store made there, and
//     call_home itself must then be the running user's).
//
// Open creates the root (and its parents) when it is missing, and
// call_home and outbox with Mkdir, mode 0700. Every file of the store is
// opened with O_NOFOLLOW and O_NONBLOCK and must be a regular file; new
// files are made with O_EXCL and renamed into place, which replaces a link
// rather than following it.
//
// # Locking
//
// A writable Store holds an exclusive, non-blocking flock(2) on .lock for
// its lifetime, so a second dsengine (or a second Open in the same process)
// gets a clear "in use" error naming the owner's pid. A ReadOnly Store takes
// no lock and never writes: it is meant for show commands while no daemon
// runs, and applies pending journals in memory only.
package bootflash
