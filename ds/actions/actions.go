package actions

import (
	"os"
	"strings"

	"github.com/dsengine/dsengine/ds/notify/callhome"
	"golang.org/x/sys/unix"
)

// Version is what the host reports as its software version.
const Version = "dsengine 0.1"

// HostDevice describes this Linux host the way a Call Home message
// describes a device: PID "Linux", the machine id as serial number, and
// the kernel as hardware and system description.
func HostDevice() callhome.Device {
	d := callhome.Device{Product: "dsengine", BuilderVersion: callhome.AMLBuilderVersion, Brand: callhome.DeviceBrand,
		Series: callhome.DeviceSeries, PID: "Linux", SoftwareVersion: Version}
	if id, err := os.ReadFile("/etc/machine-id"); err == nil {
		d.Serial = strings.TrimSpace(string(id))
	}
	if d.Serial == "" {
		d.Serial = "unknown"
	}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		sys, rel, mach := unix.ByteSliceToString(u.Sysname[:]), unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Machine[:])
		d.HardwareVersion = mach
		d.SystemDescription = strings.Join([]string{sys, rel, mach}, " ")
	}
	return d
}
