package callhome

import (
	"fmt"
	"io"

	"github.com/dsengine/dsengine/ds/notify/transport"
)

// MailServerStatus writes `show call-home mail-server status` from the
// result of transport.Email.Check: one line per mail server, in priority
// order, with its state in brackets ("Available", "Not Available", or
// "Unknown" for a server never tried).
func MailServerStatus(w io.Writer, servers []transport.ServerStatus) {
	if len(servers) == 0 {
		fmt.Fprintln(w, "No mail server configured.")
		return
	}
	fmt.Fprintln(w, "Please wait. Checking for mail server status ...")
	for i, s := range servers {
		fmt.Fprintf(w, "Mail-server[%d]: Address: %s Priority: %d [%s]\n", i+1, s.Address, s.Priority, s.State())
	}
}
