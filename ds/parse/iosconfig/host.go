package iosconfig

import (
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
)

// host handles the commands of the "dsengine" block.
func (p *parser) host(n *node, kw string, args []string, neg bool) result {
	h := &p.cfg.Host
	if neg {
		return p.hostNo(n, kw, args)
	}
	switch kw {
	case "syslog":
		if len(args) >= 1 && strings.EqualFold(args[0], "listen") {
			p.syslogListen(n, args[1:])
			return leaf
		}
		if len(args) == 2 && strings.EqualFold(args[0], "file") && args[1] != "" {
			p.fileRef(n, "syslog file", args[1], &h.SyslogFiles)
			return leaf
		}
		if len(args) == 2 && strings.EqualFold(args[0], "queue-size") {
			v, err := strconv.Atoi(args[1])
			if err != nil || v < 1 || v > config.MaxSyslogQueueSize {
				p.errorf(n.line, "syslog queue-size %q is not a number of lines 1-%d", args[1], config.MaxSyslogQueueSize)
				return leaf
			}
			h.SyslogQueueSize, h.SyslogQueueSizeLine = v, n.line
			return leaf
		}
		if len(args) == 2 && strings.EqualFold(args[0], "receive-buffer") {
			v, err := strconv.Atoi(args[1])
			if err != nil || v < config.MinSyslogReceiveBuffer || v > config.MaxSyslogReceiveBuffer {
				p.errorf(n.line, "syslog receive-buffer %q is not a number of bytes %d-%d", args[1], config.MinSyslogReceiveBuffer, config.MaxSyslogReceiveBuffer)
				return leaf
			}
			h.SyslogReceiveBuffer, h.SyslogReceiveBufferLine = v, n.line
			return leaf
		}
		p.errorf(n.line, "usage: syslog listen {udp | tcp} HOST:PORT, syslog listen unix PATH, syslog file PATH, syslog queue-size LINES, or syslog receive-buffer BYTES")
		return leaf
	case "control-socket":
		if path, ok := p.path(n, "control-socket", args); ok {
			h.ControlSocket, h.ControlSocketLine = path, n.line
		}
		return leaf
	case "metrics":
		if len(args) == 1 && strings.EqualFold(args[0], "pprof") {
			h.MetricsPprof, h.MetricsPprofLine = true, n.line
			return leaf
		}
		if len(args) != 2 || !strings.EqualFold(args[0], "listen") {
			p.errorf(n.line, "usage: metrics listen HOST:PORT, or metrics pprof")
			return leaf
		}
		if msg := checkHostPort(args[1]); msg != "" {
			p.errorf(n.line, "metrics listen address %q %s", args[1], msg)
			return leaf
		}
		h.MetricsListen, h.MetricsListenLine = args[1], n.line
		return leaf
	case "match":
		p.match(n, args)
		return leaf
	case "snmp":
		p.snmp(n, args)
		return leaf
	case "source":
		p.source(n, args)
		return leaf
	case "watch":
		if len(args) != 2 || !strings.EqualFold(args[0], "file") || args[1] == "" {
			p.errorf(n.line, "usage: watch file PATH")
			return leaf
		}
		p.fileRef(n, "watch file", args[1], &h.WatchFiles)
		return leaf
	}
	return unknown
}

// match reads "match literal-free-patterns N" and "match time-budget
// PERCENT".
func (p *parser) match(n *node, args []string) {
	h := &p.cfg.Host
	if len(args) != 2 {
		p.errorf(n.line, "usage: match literal-free-patterns N (0-%d), or match time-budget PERCENT (1-100)", config.MaxLiteralFreePatterns)
		return
	}
	v, err := strconv.Atoi(args[1])
	switch strings.ToLower(args[0]) {
	case "literal-free-patterns":
		if err != nil || v < 0 || v > config.MaxLiteralFreePatterns {
			p.errorf(n.line, "match literal-free-patterns %q is not a number 0-%d", args[1], config.MaxLiteralFreePatterns)
			return
		}
		h.LiteralFreePatterns, h.LiteralFreePatternsLine = v, n.line
	case "time-budget":
		if err != nil || v < 1 || v > 100 {
			p.errorf(n.line, "match time-budget %q is not a percentage 1-100", args[1])
			return
		}
		h.MatchBudget, h.MatchBudgetLine = v, n.line
	default:
		p.errorf(n.line, "usage: match literal-free-patterns N (0-%d), or match time-budget PERCENT (1-100)", config.MaxLiteralFreePatterns)
	}
}

// source reads "source NAME [ARGUMENT ...]": one of the host's native
// event sources. The name is lower-cased; the daemon's source table
// checks that it exists and what its arguments mean. The same source named
// again replaces the earlier line, as IOS replaces a command's settings.
func (p *parser) source(n *node, args []string) {
	if len(args) == 0 || args[0] == "" {
		p.errorf(n.line, "usage: source NAME [ARGUMENT ...], such as source netlink")
		return
	}
	ref := config.SourceRef{Name: strings.ToLower(args[0]), Args: slices.Clone(args[1:]), Line: n.line}
	h := &p.cfg.Host
	if i := slices.IndexFunc(h.Sources, func(s config.SourceRef) bool { return s.Name == ref.Name }); i >= 0 {
		h.Sources[i] = ref
		return
	}
	h.Sources = append(h.Sources, ref)
}

func (p *parser) fileRef(n *node, what, path string, list *[]config.FileRef) {
	if slices.ContainsFunc(*list, func(f config.FileRef) bool { return f.Path == path }) {
		return // the same line again changes nothing
	}
	*list = append(*list, config.FileRef{Path: path, Line: n.line})
}

// hostNo handles "no" in the dsengine block: it removes what the command
// set, or restores the default.
func (p *parser) hostNo(n *node, kw string, args []string) result {
	h := &p.cfg.Host
	drop := func(list *[]config.FileRef, path string) {
		*list = slices.DeleteFunc(*list, func(f config.FileRef) bool { return f.Path == path })
	}
	switch {
	case kw == "syslog" && len(args) == 3 && strings.EqualFold(args[0], "listen"):
		h.SyslogListen = slices.DeleteFunc(h.SyslogListen, func(l config.Listener) bool {
			return strings.EqualFold(l.Network, args[1]) && l.Address == args[2]
		})
	case kw == "syslog" && len(args) == 2 && strings.EqualFold(args[0], "file"):
		drop(&h.SyslogFiles, args[1])
	case kw == "syslog" && len(args) >= 1 && strings.EqualFold(args[0], "queue-size"):
		h.SyslogQueueSize, h.SyslogQueueSizeLine = 0, 0
	case kw == "syslog" && len(args) >= 1 && strings.EqualFold(args[0], "receive-buffer"):
		h.SyslogReceiveBuffer, h.SyslogReceiveBufferLine = 0, 0
	case kw == "watch" && len(args) == 2 && strings.EqualFold(args[0], "file"):
		drop(&h.WatchFiles, args[1])
	case kw == "control-socket":
		h.ControlSocket, h.ControlSocketLine = "", 0
	case kw == "metrics" && len(args) >= 1 && strings.EqualFold(args[0], "pprof"):
		h.MetricsPprof, h.MetricsPprofLine = false, 0
	case kw == "metrics":
		h.MetricsListen, h.MetricsListenLine = "", 0
	case kw == "match" && len(args) >= 1 && strings.EqualFold(args[0], "literal-free-patterns"):
		h.LiteralFreePatterns, h.LiteralFreePatternsLine = 0, 0
	case kw == "match" && len(args) >= 1 && strings.EqualFold(args[0], "time-budget"):
		h.MatchBudget, h.MatchBudgetLine = 0, 0
	case kw == "snmp":
		p.snmpNo(n, args)
	case kw == "source" && len(args) >= 1:
		name := strings.ToLower(args[0])
		h.Sources = slices.DeleteFunc(h.Sources, func(s config.SourceRef) bool { return s.Name == name })
	default:
		p.errorf(n.line, "usage: no {syslog listen NETWORK ADDRESS | syslog file PATH | syslog queue-size | syslog receive-buffer | watch file PATH | control-socket | metrics listen | metrics pprof | match literal-free-patterns | match time-budget | snmp agent | snmp trap-host HOST[:PORT] | source NAME}")
	}
	return leaf
}

func (p *parser) syslogListen(n *node, args []string) {
	if len(args) != 2 {
		p.errorf(n.line, "usage: syslog listen {udp | tcp} HOST:PORT, or syslog listen unix PATH")
		return
	}
	network, addr := strings.ToLower(args[0]), args[1]
	switch network {
	case "udp", "tcp":
		if msg := checkHostPort(addr); msg != "" {
			p.errorf(n.line, "syslog listen %s address %q %s", network, addr, msg)
			return
		}
	case "unix":
		if addr == "" {
			p.errorf(n.line, "syslog listen unix needs a socket path")
			return
		}
	default:
		p.errorf(n.line, "syslog listen network %q is not udp, tcp or unix", args[0])
		return
	}
	if slices.ContainsFunc(p.cfg.Host.SyslogListen, func(l config.Listener) bool { return l.Network == network && l.Address == addr }) {
		return // the same line again changes nothing
	}
	p.cfg.Host.SyslogListen = append(p.cfg.Host.SyslogListen, config.Listener{Network: network, Address: addr, Line: n.line})
}

// checkHostPort says why s is not HOST:PORT with a port 1-65535, or "".
func checkHostPort(s string) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "is not HOST:PORT"
	}
	if strings.ContainsAny(host, " /") {
		return "has a bad host"
	}
	v, err := strconv.Atoi(port)
	if err != nil || v < 1 || v > 65535 {
		return "needs a port 1-65535"
	}
	return ""
}
