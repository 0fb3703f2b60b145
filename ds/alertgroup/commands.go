package alertgroup

import (
	"strings"

	"github.com/dsengine/dsengine/ds/config"
)

// The IOS commands of the alert groups: the guide's "Alert Group trigger
// events and commands" table (DS guide, table 3), keeping the commands that
// mean something on a Linux host as well as on IOS XE (CommandMap answers
// each one here). Left out: "show region" and "crashinfo file" (crash),
// "show bootflash: all", "show data-corruption", "show process cpu
// history", "show license udi|detail" and "show buffers" (full inventory),
// which have no Linux counterpart.
var (
	crashCommands = []string{"show version", "show logging", "show inventory", "show stack"}

	configurationCommands = []string{"show platform", "show inventory", "show running-config all",
		"show startup-config", "show version"}

	environmentCommands = []string{"show environment", "show inventory", "show platform", "show logging"}

	// deltaInventoryCommands are those of a delta inventory message and of
	// every inventory message to an anonymous-reporting-only profile.
	deltaInventoryCommands = []string{"show diag all eeprom detail", "show version", "show inventory oid",
		"show platform"}

	// fullInventoryCommands are those of a full inventory message.
	fullInventoryCommands = []string{"show platform", "show diag all eeprom detail", "show version",
		"show inventory oid", "show interfaces", "show file systems", "show memory statistics",
		"show processes memory", "show processes cpu"}

	syslogCommands = []string{"show inventory", "show logging"}

	testCommands = []string{"show platform", "show inventory", "show version"}

	// requestCommands are those of config-sanity, bugs-list and
	// command-reference: "a predetermined set of commands such as the show
	// running-config all, show version or show module commands".
	requestCommands = []string{"show running-config all", "show version", "show inventory"}
)

// Subtypes of inventory and configuration messages.
const (
	SubTypeFull  = "full"
	SubTypeDelta = "delta"
)

// Commands returns the IOS commands whose outputs a message of the group
// carries: for inventory the full or the delta set (subType SubTypeFull or
// SubTypeDelta), for snapshot the "alert-group-config snapshot" add-command
// lines of cfg. The slice is the caller's.
func Commands(cfg *config.Config, g config.AlertGroup, subType string) []string {
	var cmds []string
	switch g {
	case config.GroupConfiguration:
		cmds = configurationCommands
	case config.GroupCrash:
		cmds = crashCommands
	case config.GroupEnvironment:
		cmds = environmentCommands
	case config.GroupInventory:
		cmds = fullInventoryCommands
		if subType == SubTypeDelta {
			cmds = deltaInventoryCommands
		}
	case config.GroupSyslog:
		cmds = syslogCommands
	case config.GroupSnapshot:
		if cfg == nil {
			return nil
		}
		for _, c := range cfg.CallHome.SnapshotCommands {
			cmds = append(cmds, c.Command)
		}
		return cmds
	}
	return append([]string(nil), cmds...)
}

// CommandMap returns command-map entries that answer, on this Linux host,
// the alert groups' IOS commands the local executor's built-in table does
// not know: show running-config [all] and show startup-config print
// configFile (the daemon's configuration; left out when it is empty), show
// inventory [oid], show platform, show diag all eeprom detail, show
// environment and show stack read /sys, /proc and the journal. The daemon
// appends them after the configuration's own command-map lines, which win
// for the same command:
//
//	cmap := append(slices.Clone(cfg.DiagnosticSignature.CommandMap), alertgroup.CommandMap(cfgPath)...)
//	exec, err := executor.New(cfg.DiagnosticSignature.Executor, cmap, opts)
//
// Every script prints something and exits 0 on a host without the
// hardware it looks for (a VM, a container).
func CommandMap(configFile string) []config.CommandMapping {
	var m []config.CommandMapping
	if configFile != "" {
		cat := "cat -- " + shellQuote(configFile)
		for _, c := range []string{"show running-config", "show running-config all", "show startup-config"} {
			m = append(m, config.CommandMapping{IOS: c, Linux: cat})
		}
	}
	return append(m,
		config.CommandMapping{IOS: "show inventory", Linux: inventoryScript},
		config.CommandMapping{IOS: "show inventory oid", Linux: inventoryScript},
		config.CommandMapping{IOS: "show platform", Linux: platformScript},
		config.CommandMapping{IOS: "show diag all eeprom detail", Linux: eepromScript},
		config.CommandMapping{IOS: "show environment", Linux: environmentScript},
		config.CommandMapping{IOS: "show stack", Linux: stackScript},
	)
}

// shellQuote quotes s as one sh word.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// The scripts of CommandMap. They take no arguments (no $1, {args}), so
// each matches only its exact IOS command.
const (
	// inventoryScript lists the host's parts in the NAME/DESCR/PID/VID/SN
	// shape of "show inventory": chassis (DMI), CPU, memory, disks and
	// network interfaces.
	inventoryScript = `d=/sys/class/dmi/id
v=$(cat $d/sys_vendor 2>/dev/null); p=$(cat $d/product_name 2>/dev/null); ver=$(cat $d/product_version 2>/dev/null)
sn=$(cat $d/product_serial 2>/dev/null || cat /etc/machine-id 2>/dev/null)
desc=$(echo $v $p)
printf 'NAME: "Chassis", DESCR: "%s"\nPID: Linux, VID: %s, SN: %s\n\n' "${desc:-Linux host}" "$ver" "$sn"
printf 'NAME: "CPU", DESCR: "%s x %s"\nPID: %s, VID: , SN:\n\n' "$(nproc 2>/dev/null)" "$(sed -n 's/^model name[^:]*: *//p' /proc/cpuinfo | head -n 1)" "$(uname -m)"
printf 'NAME: "Memory", DESCR: "%s"\nPID: , VID: , SN:\n\n' "$(sed -n 's/^MemTotal: *//p' /proc/meminfo)"
for b in /sys/block/*; do
  [ -e "$b/device" ] || continue
  printf 'NAME: "%s", DESCR: "disk, %s sectors"\nPID: %s, VID: , SN: %s\n\n' "${b##*/}" "$(cat "$b/size" 2>/dev/null)" "$(cat "$b/device/model" 2>/dev/null | sed 's/ *$//')" "$(cat "$b/device/serial" 2>/dev/null)"
done
for n in /sys/class/net/*; do
  [ -e "$n/device" ] || continue
  printf 'NAME: "%s", DESCR: "network interface, %s"\nPID: , VID: , SN:\n\n' "${n##*/}" "$(cat "$n/address" 2>/dev/null)"
done
true`

	// platformScript is "show platform": the chassis and its software.
	platformScript = `d=/sys/class/dmi/id
c=$(echo $(cat $d/sys_vendor 2>/dev/null) $(cat $d/product_name 2>/dev/null))
echo "Chassis type: ${c:-Linux host}"
echo "Hostname:     $(uname -n)"
echo "Kernel:       $(uname -srvm)"
echo "OS:           $(sed -n 's/^PRETTY_NAME=//p' /etc/os-release 2>/dev/null | tr -d '"')"
echo "CPUs:         $(nproc 2>/dev/null)"
echo "Uptime:      $(uptime)"
true`

	// eepromScript is "show diag all eeprom detail": the DMI fields the
	// process may read.
	eepromScript = `found=
for f in /sys/class/dmi/id/*; do
  [ -f "$f" ] && [ -r "$f" ] || continue
  case ${f##*/} in uevent|modalias) continue ;; esac
  v=$(cat "$f" 2>/dev/null) || continue
  found=1
  printf '%-20s: %s\n' "${f##*/}" "$v"
done
[ -n "$found" ] || echo "No EEPROM (DMI) data on this host"
true`

	// environmentScript is "show environment": thermal zones, hwmon
	// temperatures, fans and voltages, power supplies.
	environmentScript = `found=
for z in /sys/class/thermal/thermal_zone*; do
  [ -r "$z/temp" ] || continue
  t=$(cat "$z/temp" 2>/dev/null) || continue
  found=1
  printf '%-28s %4d.%d C\n' "$(cat "$z/type" 2>/dev/null)" "$((t / 1000))" "$((t % 1000 / 100))"
done
for h in /sys/class/hwmon/hwmon*; do
  for s in "$h"/temp*_input "$h"/fan*_input "$h"/in*_input; do
    [ -r "$s" ] || continue
    x=$(cat "$s" 2>/dev/null) || continue
    found=1
    printf '%-28s %s\n' "$(cat "$h/name" 2>/dev/null)/${s##*/}" "$x"
  done
done
for p in /sys/class/power_supply/*; do
  [ -d "$p" ] || continue
  found=1
  printf 'Power supply %-15s %s %s\n' "${p##*/}" "$(cat "$p/type" 2>/dev/null)" "$(cat "$p/status" 2>/dev/null || cat "$p/online" 2>/dev/null)"
done
[ -n "$found" ] || echo "No temperature, fan or power supply sensors found"
true`

	// stackScript is "show stack" of a crash message: the last core dumps
	// and the kernel's crash lines.
	stackScript = `if command -v coredumpctl >/dev/null 2>&1; then
  coredumpctl list --no-pager 2>&1 | tail -n 20
else
  echo "No core dump list (coredumpctl not installed)"
fi
echo
k=$( (journalctl -k -n 1000 --no-pager 2>/dev/null || dmesg 2>/dev/null) | grep -iE 'kernel panic|oops|segfault|general protection|call trace' | tail -n 40)
echo "${k:-No kernel crash records}"
true`
)
