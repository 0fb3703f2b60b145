package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/dsengine/dsengine/ds/alertgroup"
	"github.com/dsengine/dsengine/ds/config"
)

// sender is the daemon's alert-group sender: manual sends go through its
// rate limit and durable outbox, so they need the daemon.
func (e *env) sender() (*alertgroup.Sender, error) {
	if e.daemon == nil {
		return nil, fmt.Errorf("manual sends go through the daemon's outbox, and no dsengine daemon is running on %s; start one with `dsengine run`", e.socketPath())
	}
	return e.daemon.Alerts(), nil
}

// optionArgs takes IOS-style "keyword value" pairs off the end of args.
func optionArgs(args []string, keywords ...string) ([]string, map[string]string, error) {
	opts := map[string]string{}
	for i := 0; i < len(args); i++ {
		if !slices.Contains(keywords, args[i]) {
			continue
		}
		if i+1 >= len(args) {
			return nil, nil, usagef("%s needs a value", args[i])
		}
		opts[args[i]] = args[i+1]
		args = append(args[:i:i], args[i+2:]...)
		i--
	}
	return args, opts, nil
}

// runCallHomeTest is `call-home test ["TEXT"] profile NAME`.
func runCallHomeTest(e *env, _ *flag.FlagSet, args []string) error {
	rest, opts, err := optionArgs(args, "profile")
	if err != nil {
		return err
	}
	if opts["profile"] == "" || len(rest) > 1 {
		return usagef(`call-home test ["TEXT"] profile NAME`)
	}
	s, err := e.sender()
	if err != nil {
		return err
	}
	text := ""
	if len(rest) == 1 {
		text = rest[0]
	}
	line, err := s.Test(e.ctx, text, opts["profile"])
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, line)
	return nil
}

// runCallHomeSend is `call-home send alert-group NAME [profile NAME]` or
// `call-home send "CMD[; CMD]" [email ADDR [msg-format long-text|xml] |
// http [URL] [destination-email-address ADDR]] [tac-service-request SR]`.
func runCallHomeSend(e *env, _ *flag.FlagSet, args []string) error {
	if len(args) == 0 {
		return usagef("call-home send alert-group NAME [profile NAME], or call-home send \"COMMAND\" email ADDR|http URL")
	}
	s, err := e.sender()
	if err != nil {
		return err
	}
	if args[0] == "alert-group" {
		rest, opts, err := optionArgs(args[1:], "profile")
		if err != nil {
			return err
		}
		if len(rest) != 1 {
			return usagef("call-home send alert-group NAME [profile NAME]")
		}
		g, ok := config.ParseAlertGroup(rest[0])
		if !ok {
			return usagef("unknown alert group %q", rest[0])
		}
		line, err := s.SendAlertGroup(e.ctx, g, opts["profile"])
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, line)
		return nil
	}
	req := alertgroup.CLISend{Commands: args[0]}
	rest := args[1:]
	rest, opts, err := optionArgs(rest, "email", "msg-format", "destination-email-address", "tac-service-request")
	if err != nil {
		return err
	}
	req.Email, req.ForwardTo, req.ServiceRequest = opts["email"], opts["destination-email-address"], opts["tac-service-request"]
	req.Format = config.MessageFormat(opts["msg-format"])
	if len(rest) > 0 && rest[0] == "http" {
		req.HTTP = true
		if len(rest) > 1 {
			req.URL = rest[1]
		}
	} else if len(rest) > 0 {
		return usagef("unexpected %q", strings.Join(rest, " "))
	}
	line, err := s.SendCommand(e.ctx, req)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, line)
	return nil
}

// runCallHomeRequest is `call-home request KIND ["COMMAND"] [profile NAME]
// [ccoid USER]`.
func runCallHomeRequest(e *env, _ *flag.FlagSet, args []string) error {
	rest, opts, err := optionArgs(args, "profile", "ccoid")
	if err != nil {
		return err
	}
	if len(rest) == 0 || len(rest) > 2 || !slices.Contains(alertgroup.RequestKinds(), rest[0]) {
		return usagef("call-home request {%s} [\"COMMAND\"] [profile NAME] [ccoid USER]", strings.Join(alertgroup.RequestKinds(), "|"))
	}
	s, err := e.sender()
	if err != nil {
		return err
	}
	command := ""
	if len(rest) == 2 {
		command = rest[1]
	}
	line, err := s.Request(e.ctx, rest[0], command, opts["profile"], opts["ccoid"])
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, line)
	return nil
}
