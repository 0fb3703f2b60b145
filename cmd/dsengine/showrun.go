package main

import (
	"flag"
	"fmt"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

// runShowRunningConfig is `show running-config`: the running daemon's
// configuration (what it last loaded, not what the file says now), or the
// configuration file when no daemon runs, framed as IOS frames it.
func runShowRunningConfig(e *env, _ *flag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("show running-config takes no arguments; it prints the whole configuration")
	}
	cfg, err := e.currentConfig()
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(runningConfig(cfg))
	return err
}

// runningConfig is the output of show running-config: the header, then
// the configuration from "!" to "end", whose size the header gives.
func runningConfig(cfg *config.Config) []byte {
	body := append([]byte("!\n"), iosconfig.Format(cfg)...)
	body = append(body, "end\n"...)
	head := fmt.Sprintf("Building configuration...\n\nCurrent configuration : %d bytes\n", len(body))
	return append([]byte(head), body...)
}
