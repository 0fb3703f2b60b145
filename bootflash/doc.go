// Package bootflash is the persistent DS store: verified DS files, their
// state and the call-home outbox under <bootflash>/call_home/, written only
// through crash-safe atomic writes.
//
// # Layout
//
//	<root>/call_home/<id>.xml, <id>.xml.asc   verified DS files, exactly as downloaded
//	<root>/call_home/state.json               statuses, prompt answers, statistics, values
//	<root>/call_home/outbox/                  call-home messages not yet delivered
//	<root>/call_home/.lock                    advisory lock; holds the owner's pid
//	<root>/call_home/<id>.journal             a Put or Remove in progress (see below)
//
// # Write protocol
//
// Every file is written to a temporary file in its final directory (named
// ".<name>.tmp-*"), fsynced, renamed over the final name, and the directory
// is fsynced. That makes one file atomic, but a DS is two files (<id>.xml
// and <id>.xml.asc) plus its entry in state.json, and they must change
// together: a new .asc beside an old .xml does not verify. So Put and
// Remove use a redo journal, one per DS:
//
//  1. Write <id>.journal atomically (temp, fsync, rename, fsync dir). It
//     holds the operation, both files' contents and the complete new state
//     entry. Its rename is the commit point: before it, nothing changed;
//     after it, the operation will complete, now or at the next Open.
//  2. Write <id>.xml, <id>.xml.asc and state.json to fsynced temporary
//     files, rename all three into place and fsync the directory (for
//     Remove: unlink the two files and rename the new state.json).
//  3. Unlink the journal, without an fsync of its own: the next write's
//     directory fsync makes the unlink durable, and if a power loss undoes
//     it before then, nothing written after it was durable either, so
//     replaying the journal restores exactly the state the operation left.
//
// Open replays every journal it finds (rewriting the files and the entry
// from the journal, which is idempotent), writes state.json, and only then
// removes the journals. A crash at any moment therefore leaves either the
// old DS and entry or the new ones, never a mix, and state.json always
// parses because it is only ever replaced by rename. Leftover temporary
// files are deleted by Open.
//
// # Recovery on Open
//
// Open re-checks every stored DS with the caller's Check function (verify
// and parse). A DS that fails — a damaged file, a missing .asc, an
// untrusted key — becomes failed with the reason and is never returned as
// runnable (its Entry.Signature is nil); its files are left on disk
// untouched so they can be inspected. Files without state are adopted as
// downloaded, state without files is dropped, and a corrupt state.json is
// renamed to state.json.corrupt-<time> and rebuilt from the files. Each of
// these is reported in Warnings.
//
// # Locking
//
// A writable Store holds an exclusive, non-blocking flock(2) on .lock for
// its lifetime, so a second dsengine (or a second Open in the same process)
// gets a clear "in use" error naming the owner's pid. A ReadOnly Store takes
// no lock and never writes: it is meant for show commands while no daemon
// runs, and applies pending journals in memory only.
package bootflash
