// Package actions joins the engine to the action packages: it builds the
// call-home message of a DS run, the script environment of a run, and the
// CLI sessions scripts open on an executor. The action types themselves
// live in the sub-packages (executor, emailto, script, message); the
// Call Home messages are composed and delivered by ds/notify and its
// sub-packages (callhome, outbox, transport).
package actions
