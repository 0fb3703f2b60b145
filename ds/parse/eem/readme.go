package eem

import _ "embed"

//go:embed README.md
var readme string

// README returns the package's README.md, which documents the EEM event
// line as a DS event type (type="eem") for the detector table.
func README() string { return readme }
