package ds

// Status is where a DS is in its life (SPEC §4).
type Status string

// The statuses. A DS moves downloaded → pending | registered → running →
// registered, or to failed (with a reason) or deinstalled.
const (
	StatusDownloaded  Status = "downloaded"
	StatusPending     Status = "pending"
	StatusRegistered  Status = "registered"
	StatusRunning     Status = "running"
	StatusFailed      Status = "failed"
	StatusDeinstalled Status = "deinstalled"
)
