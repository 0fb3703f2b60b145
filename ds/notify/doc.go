// Package notify turns what happened into Call Home messages and hands
// them to the outbox. Its one compose step, Notifier.Compose, serves every
// Call Home message: the call-home action of a diagnostic signature, the
// alert groups, the manual sends ("call-home test|send|request") and the
// dry run of `ds test`, which composes without enqueueing. The step
// numbers the message from the one counter of the Notifier, scrubs it as
// data-privacy says, renders it in the destination profile's format within
// its message-size-limit, and writes its mail subject and destinations.
//
// The sub-packages are the stages around it: callhome (the message and its
// renderers), outbox (rate limit and durable delivery) and transport
// (e-mail and HTTP).
package notify
