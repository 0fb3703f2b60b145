// Package outbox delivers call-home messages durably: a rate limiter, then
// a queue kept in the bootflash outbox, then the transports, with retries
// of what a transport calls retryable and the statistics of "show
// call-home statistics".
//
// # Stages
//
// The send path is a chain of stages that each implement Enqueuer, as
// Alertmanager chains its notification stages:
//
//	RateLimiter (rate-limit N per minute) → Outbox (bootflash, retries) → transport.Transport (email, http)
//
// Each stage can be used alone: the rate limiter in front of anything
// that enqueues, the outbox without a limiter (a benchmark, a manual
// "call-home send"), a transport without an outbox (emailto).
//
// # Rate limit
//
// RateLimiter admits at most "rate-limit" messages (1-60, default 20) in
// any 60 seconds of its clock (a sliding window). A message over the limit
// is not queued at all: Enqueue returns ErrRateLimited and the message is
// counted Ratelimit-dropped under each transport it would have used. In
// front of the Outbox, the limiter saves its admissions of the last minute
// in the store (ratelimit.json, beside the outbox: the outbox forgets a
// message once delivered) after each message it passes, and a new limiter
// starts from them, so restarting the daemon does not reset the limit.
//
// # Durability and retries
//
// Outbox.Enqueue writes the message into <bootflash>/call_home/outbox/, one
// file per transport ("<id>.email", "<id>.http": a JSON header line, then
// the body), each written atomically and fsynced by the store, before it
// returns and before any send is attempted. Workers send each file through
// its transport and remove it only once every destination has it. A
// partial success rewrites the file with only the destinations still to
// serve, so a retry never resends to those already served.
//
// A retryable failure (transport.Retryable) is tried again after an
// exponential backoff with jitter, measured on the injected ds.Clock:
// Backoff.Initial (30 s) times Backoff.Multiplier (2) per attempt, capped at
// Backoff.Max (30 min), spread by ±Backoff.Jitter (20%), and never shorter
// than a receiver's Retry-After (up to Max). A message still undelivered
// MaxAge (24 h) after it was made is given up and counted Failed. A
// permanent failure is counted Failed at once. A message that failed for
// good is dropped from the outbox, with an error log naming it, its
// destinations and the reason: the outbox holds messages "not yet
// delivered" (SPEC §7), and one a receiver refused for good would only be
// refused again at every restart. The attempt count lives in memory: after
// a restart a message is tried at once, then backs off from the start
// again; its age, which bounds the retries, is on disk.
//
// # Crashes
//
// New re-queues every message found in the outbox, oldest first, so a
// crash never loses an enqueued message. Delivery is at least once: the
// window for a duplicate runs from the moment a receiver accepts a message
// (HTTP 2xx, SMTP 250 after DATA) to the moment its removal from the
// outbox is durable (the store fsyncs the directory after the unlink), a
// few milliseconds; a crash inside it sends the message again after the
// restart, with the same ID (Message-ID, X-Message-Id) so a receiver can
// recognise it. Once the removal is durable, the message is never sent
// again. Close (or a cancelled send) leaves unfinished messages in the
// outbox for the next start.
//
// # Statistics
//
// Stats counts, per message type and transport, Success, In-Queue (a
// gauge: messages in the outbox now), Failed and Ratelimit-dropped, and
// the time of the last message sent: the table of "show call-home
// statistics". A message sent over email and http counts once in each
// column; one that some destinations of a transport refused for good
// counts Failed in that column, even if others got it.
package outbox
