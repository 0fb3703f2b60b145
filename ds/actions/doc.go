// Package actions joins the engine to the action packages: it builds the
// call-home message of a DS run, the script environment of a run, and the
// CLI sessions scripts open on an executor. The action types themselves
// live in the sub-packages (executor, callhome, outbox, transport,
// emailto, script, message).
package actions
