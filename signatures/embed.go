// Package signatures holds the example DS files shipped with dsengine,
// signed with the demo key in keys/ (demo only: its secret half is public),
// embedded so `dsengine run --demo` runs them with nothing else installed.
package signatures

import "embed"

// Files are the example DS files (<id>.xml, <id>.xml.asc) and the demo
// key's public half (keys/demo-public.asc).
//
//go:embed *.xml *.xml.asc keys/demo-public.asc
var Files embed.FS

// DemoKey is the path of the demo key's public half in Files.
const DemoKey = "keys/demo-public.asc"
