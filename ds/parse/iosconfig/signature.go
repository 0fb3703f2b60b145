package iosconfig

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
)

// diagSig handles the commands of the "diagnostic-signature" block.
func (p *parser) diagSig(n *node, kw string, args []string, neg bool) result {
	d := &p.cfg.DiagnosticSignature
	switch kw {
	case "profile":
		if neg {
			d.Profile, d.ProfileLine = config.CiscoTACProfile, n.line
			return leaf
		}
		if len(args) != 1 {
			p.errorf(n.line, "usage: profile NAME (a call-home destination profile)")
			return leaf
		}
		d.Profile, d.ProfileLine = args[0], n.line
		if pr := p.cfg.Profile(args[0]); pr != nil {
			d.Profile = pr.Name
		}
		return leaf
	case "environment":
		p.dsEnvironment(n, args, neg)
		return leaf
	case "repository":
		if neg {
			d.Repository, d.RepositoryLine = "", 0
			return leaf
		}
		if len(args) != 1 {
			p.errorf(n.line, "usage: repository URL")
			return leaf
		}
		if msg := checkURL(args[0]); msg != "" {
			p.errorf(n.line, "repository %q %s", args[0], msg)
			return leaf
		}
		d.Repository, d.RepositoryLine = args[0], n.line
		return leaf
	case "repository-ca":
		if neg {
			d.RepositoryCA, d.RepositoryCALine = "", 0
			return leaf
		}
		if path, ok := p.path(n, "repository-ca", args); ok {
			d.RepositoryCA, d.RepositoryCALine = path, n.line
		}
		return leaf
	case "trust-key":
		path, ok := p.path(n, "trust-key", args)
		if !ok {
			return leaf
		}
		if neg {
			d.TrustKeys = slices.DeleteFunc(d.TrustKeys, func(f config.FileRef) bool { return f.Path == path })
			return leaf
		}
		if slices.ContainsFunc(d.TrustKeys, func(f config.FileRef) bool { return f.Path == path }) {
			return leaf // as IOS: the same line again changes nothing
		}
		if p.full(n.line, len(d.TrustKeys), "trust keys") {
			return leaf
		}
		d.TrustKeys = append(d.TrustKeys, config.FileRef{Path: path, Line: n.line})
		return leaf
	case "executor":
		if neg {
			d.Executor = config.Executor{Kind: config.ExecutorLocal, Line: n.line}
			return leaf
		}
		if ex, ok := p.executor(n, args); ok {
			d.Executor = ex
		}
		return leaf
	case "command-map":
		p.commandMap(n, args, neg)
		return leaf
	}
	return unknown
}

// path reads the one path argument of a command.
func (p *parser) path(n *node, what string, args []string) (string, bool) {
	if len(args) != 1 || args[0] == "" {
		p.errorf(n.line, "usage: %s PATH", what)
		return "", false
	}
	return args[0], true
}

func (p *parser) dsEnvironment(n *node, args []string, neg bool) {
	d := &p.cfg.DiagnosticSignature
	if len(args) == 0 || !neg && len(args) != 2 {
		p.errorf(n.line, "usage: environment ds_NAME VALUE (in double quotes if it has blanks)")
		return
	}
	name := args[0]
	if neg {
		d.Environment = slices.DeleteFunc(d.Environment, func(v config.EnvVar) bool { return v.Name == name })
		return
	}
	if msg := checkDSVarName(name); msg != "" {
		p.errorf(n.line, "environment %s", msg)
		return
	}
	if setEnv(&d.Environment, config.EnvVar{Name: name, Value: args[1], Line: n.line}) {
		return
	}
	if p.full(n.line, len(d.Environment), "environment variables") {
		return
	}
	d.Environment = append(d.Environment, config.EnvVar{Name: name, Value: args[1], Line: n.line})
}

// checkDSVarName says why name cannot be a DS environment variable, or "".
func checkDSVarName(name string) string {
	rest, ok := strings.CutPrefix(name, "ds_")
	if !ok || rest == "" {
		return fmt.Sprintf("name %q must start with ds_", name)
	}
	for _, r := range rest {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return fmt.Sprintf("name %q may hold only letters, digits and _", name)
		}
	}
	if slices.Contains(ds.SystemVariables, name) || slices.Contains(ds.SyslogVariables, name) || isSyslogGroupVar(name) {
		return fmt.Sprintf("name %q is set by the engine; choose another name", name)
	}
	return ""
}

func isSyslogGroupVar(name string) bool {
	n, ok := strings.CutPrefix(name, "ds_syslog_")
	return ok && isDigits(n, 1, 10)
}

// executor reads "local", "sim DIR" or "ssh HOST [port N] [user U] [key
// PATH] [password P] [known-hosts PATH]".
func (p *parser) executor(n *node, args []string) (config.Executor, bool) {
	const usage = "usage: executor local | executor sim DIR | executor ssh HOST [port N] [user NAME] [key PATH] [password TEXT] [known-hosts PATH]"
	ex := config.Executor{Line: n.line}
	if len(args) == 0 {
		p.errorf(n.line, usage)
		return ex, false
	}
	switch kind := strings.ToLower(args[0]); kind {
	case "local":
		if len(args) != 1 {
			p.errorf(n.line, "executor local takes no arguments")
			return ex, false
		}
		ex.Kind = config.ExecutorLocal
	case "sim":
		if len(args) != 2 || args[1] == "" {
			p.errorf(n.line, "usage: executor sim DIR")
			return ex, false
		}
		ex.Kind, ex.Dir = config.ExecutorSim, args[1]
	case "ssh":
		if len(args) < 2 {
			p.errorf(n.line, "usage: executor ssh HOST [port N] [user NAME] [key PATH] [password TEXT] [known-hosts PATH]")
			return ex, false
		}
		ex.Kind, ex.Host, ex.Port = config.ExecutorSSH, args[1], config.DefaultSSHPort
		if !isHostOrAddress(ex.Host) {
			p.errorf(n.line, "executor ssh host %q is not an IP address or a host name", ex.Host)
			return ex, false
		}
		seen := map[string]bool{}
		for rest := args[2:]; len(rest) > 0; rest = rest[2:] {
			opt := strings.ToLower(rest[0])
			if len(rest) < 2 {
				p.errorf(n.line, "executor ssh: %q needs a value", rest[0])
				return ex, false
			}
			if seen[opt] {
				p.errorf(n.line, "executor ssh: %q is given twice", opt)
				return ex, false
			}
			seen[opt] = true
			v := rest[1]
			switch opt {
			case "port":
				port, ok := p.intArg(n.line, "executor ssh port", v, 1, 65535)
				if !ok {
					return ex, false
				}
				ex.Port = port
			case "user":
				ex.User = v
			case "key":
				ex.Key = v
			case "password":
				ex.Password = v
			case "known-hosts":
				ex.KnownHosts = v
			default:
				p.errorf(n.line, "executor ssh: unknown option %q; expected port, user, key, password, known-hosts", rest[0])
				return ex, false
			}
		}
	default:
		p.errorf(n.line, "unknown executor %q; expected local, sim or ssh", args[0])
		return ex, false
	}
	return ex, true
}

func (p *parser) commandMap(n *node, args []string, neg bool) {
	d := &p.cfg.DiagnosticSignature
	if len(args) == 0 || !neg && len(args) != 2 {
		p.errorf(n.line, "usage: command-map \"IOS COMMAND\" \"LINUX COMMAND\"")
		return
	}
	ios := config.NormalizeCommand(args[0])
	i := slices.IndexFunc(d.CommandMap, func(m config.CommandMapping) bool { return strings.EqualFold(config.NormalizeCommand(m.IOS), ios) })
	if neg {
		if i >= 0 {
			d.CommandMap = slices.Delete(d.CommandMap, i, i+1)
		}
		return
	}
	if ios == "" || strings.TrimSpace(args[1]) == "" {
		p.errorf(n.line, "command-map needs a non-empty IOS command and Linux command")
		return
	}
	if i >= 0 { // as IOS: a command mapped again gets the new mapping
		d.CommandMap[i] = config.CommandMapping{IOS: ios, Linux: args[1], Line: n.line}
		return
	}
	if p.full(n.line, len(d.CommandMap), "command maps") {
		return
	}
	d.CommandMap = append(d.CommandMap, config.CommandMapping{IOS: ios, Linux: args[1], Line: n.line})
}

// setEnv sets a variable that is already in env, as IOS does, and reports
// whether it was.
func setEnv(env *config.Environment, v config.EnvVar) bool {
	for i := range *env {
		if (*env)[i].Name == v.Name {
			(*env)[i] = v
			return true
		}
	}
	return false
}
