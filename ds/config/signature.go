package config

import "strings"

// DiagnosticSignature is the "diagnostic-signature" block under
// "call-home", with dsengine's additions: the repository, its CA, the
// trusted publisher keys, the command executor and the command map.
type DiagnosticSignature struct {
	Line int // of the "diagnostic-signature" line; 0 if there is none

	// Profile names the destination profile DS uses; CiscoTAC-1 by default
	// (DS guide, line 1436).
	Profile     string
	ProfileLine int

	// Environment holds the "environment ds_x VALUE" lines; every name
	// starts with ds_.
	Environment Environment

	// Repository is the DS repository URL (http:// or https://).
	Repository     string
	RepositoryLine int
	// RepositoryCA is a PEM file with the CA of the repository's TLS
	// certificate; empty means the system roots.
	RepositoryCA     string
	RepositoryCALine int
	// TrustKeys are the armoured OpenPGP public keys of trusted publishers.
	TrustKeys []FileRef

	Executor Executor

	// CommandMap maps IOS commands to the Linux commands the local executor
	// runs for them, in configuration order.
	CommandMap []CommandMapping
}

// LinuxCommand returns the Linux command mapped to an IOS command; the
// comparison ignores case and repeated blanks.
func (d *DiagnosticSignature) LinuxCommand(ios string) (string, bool) {
	key := NormalizeCommand(ios)
	for _, m := range d.CommandMap {
		if strings.EqualFold(NormalizeCommand(m.IOS), key) {
			return m.Linux, true
		}
	}
	return "", false
}

// NormalizeCommand trims a command and collapses runs of blanks to one
// space.
func NormalizeCommand(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// CommandMapping is one `command-map "IOS" "LINUX"` line.
type CommandMapping struct {
	IOS   string
	Linux string
	Line  int
}

// ExecutorKind says where DS and applet commands run.
type ExecutorKind string

// The executors.
const (
	ExecutorLocal ExecutorKind = "local" // on this host, through the command map
	ExecutorSim   ExecutorKind = "sim"   // canned outputs from a directory
	ExecutorSSH   ExecutorKind = "ssh"   // on a device over SSH
)

// Executor is the "executor local | sim DIR | ssh HOST [port N] [user U]
// [key PATH] [password P] [known-hosts PATH]" line. The default is local.
type Executor struct {
	Kind ExecutorKind
	Dir  string // sim: DIR/<command>.txt

	Host       string // ssh
	Port       int    // ssh, default 22
	User       string // ssh; empty: the runtime decides
	Key        string // ssh: private key file
	Password   string // ssh
	KnownHosts string // ssh: known_hosts file
	Line       int
}
