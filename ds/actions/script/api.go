package script

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/internal/english"
)

// Limits on what the API passes to the Host.
const (
	maxApplKey  = 64
	maxApplData = 64 << 10
)

// api returns the EEM Tcl policy API, as Lua functions.
func (st *state) api() []entry {
	L := st.L
	f := func(name string, fn lua.LGFunction) entry { return entry{name, L.NewFunction(fn)} }
	return []entry{
		f("event_reqinfo", apiEventReqinfo),
		f("event_reqinfo_multi", apiEventReqinfoMulti),
		f("cli_open", st.apiCLIOpen),
		f("cli_exec", apiCLIExec),
		f("cli_close", apiCLIClose),
		f("cli_run", apiCLIRun),
		f("action_syslog", apiActionSyslog),
		f("smtp_send_email", apiSMTPSendEmail),
		f("smtp_subst", apiSMTPSubst),
		f("appl_setinfo", apiApplSetinfo),
		f("appl_reqinfo", apiApplReqinfo),
		f("call_home_send", apiCallHomeSend),
		f("context_save", apiContextSave),
		f("context_retrieve", apiContextRetrieve),
		f("ds_stop", apiDSStop),
	}
}

// errStopped is the cause the run's context is cancelled with by ds_stop.
var errStopped = errors.New("ds_stop: the script ended the run")

// apiDSStop is ds_stop([reason]): the script ends here and so does the
// DS's run; the actions after the script do not run. It cannot be caught
// for good: like a limit, it cancels the run's context, so pcall only
// delays the end by one instruction.
func apiDSStop(L *lua.LState) int {
	r := runOf(L)
	reason := "ds_stop"
	if v := L.Get(1); v != lua.LNil {
		if !stringish(v) {
			L.ArgError(1, "the reason must be a string")
		}
		reason = "ds_stop: " + english.Cut(lua.LVAsString(v), maxStopReason)
	}
	if r.suppress == nil {
		r.suppress = &reason
		r.cancel(errStopped)
	}
	L.RaiseError("%s", reason)
	return 0
}

// maxStopReason bounds the reason kept in the records and statistics.
const maxStopReason = 256

// raiseAPI raises "NAME_ERR: fn: err". A Host error is remembered, so an
// uncaught one ends up wrapped in the run's *ScriptError.
func raiseAPI(L *lua.LState, r *run, name, fn string, err error, fromHost bool) {
	msg := fmt.Sprintf("%s: %s: %v", name, fn, err)
	if fromHost {
		r.hostErrs = append(r.hostErrs, hostErr{msg: msg, err: err})
	}
	L.RaiseError("%s", msg)
}

// raiseAPIf raises "NAME_ERR: fn: message" for a misuse of the API.
func raiseAPIf(L *lua.LState, name, fn, format string, args ...any) {
	L.RaiseError("%s: %s: %s", name, fn, fmt.Sprintf(format, args...))
}

// eventTable is the table event_reqinfo returns for ev.
func eventTable(L *lua.LState, ev EventInfo) *lua.LTable {
	t := L.CreateTable(0, 8+len(ev.Fields))
	for k, v := range ev.Fields {
		t.RawSetString(k, lua.LString(v))
	}
	t.RawSetString("event_id", lua.LNumber(ev.ID))
	t.RawSetString("event_type", lua.LString(ev.Type))
	t.RawSetString("event_type_string", lua.LString(ev.Type))
	t.RawSetString("event_tag", lua.LString(ev.Tag))
	var sec, msec int64
	if !ev.Time.IsZero() {
		sec, msec = ev.Time.Unix(), int64(ev.Time.Nanosecond()/1e6)
	}
	t.RawSetString("event_pub_sec", lua.LNumber(sec))
	t.RawSetString("event_pub_msec", lua.LNumber(msec))
	t.RawSetString("msg", lua.LString(ev.Msg))
	return t
}

// apiEventReqinfo is event_reqinfo(): the event that triggered the run.
func apiEventReqinfo(L *lua.LState) int {
	L.Push(eventTable(L, runOf(L).event))
	return 1
}

// apiEventReqinfoMulti is event_reqinfo_multi(): a list of the correlated
// events, each as event_reqinfo returns it (with its event_tag).
func apiEventReqinfoMulti(L *lua.LState) int {
	r := runOf(L)
	evs := r.events
	if len(evs) == 0 {
		evs = []EventInfo{r.event}
	}
	t := L.CreateTable(len(evs), 0)
	for _, ev := range evs {
		t.Append(eventTable(L, ev))
	}
	L.Push(t)
	return 1
}

// cliHandle is what cli_open returns (as userdata).
type cliHandle struct {
	sess CLISession
	r    *run
	open bool
	id   int
}

func cliHandleString(L *lua.LState) int {
	if h, ok := L.CheckUserData(1).Value.(*cliHandle); ok {
		L.Push(lua.LString("cli_handle " + strconv.Itoa(h.id)))
		return 1
	}
	L.Push(lua.LString("cli_handle"))
	return 1
}

func (r *run) openSessions() int {
	n := 0
	for _, h := range r.sessions {
		if h.open {
			n++
		}
	}
	return n
}

// openCLI opens a session for fn, within MaxCLISessions.
func (r *run) openCLI(L *lua.LState, fn string) *cliHandle {
	if r.openSessions() >= r.opts.MaxCLISessions {
		raiseAPIf(L, errCLI, fn, "too many open CLI sessions (at most %d)", r.opts.MaxCLISessions)
	}
	sess, err := r.host.CLIOpen(r.ctx)
	if err != nil {
		raiseAPI(L, r, errCLI, fn, err, true)
	}
	h := &cliHandle{sess: sess, r: r, open: true, id: len(r.sessions) + 1}
	r.sessions = append(r.sessions, h)
	return h
}

// closeCLI closes a session once.
func (h *cliHandle) close() error {
	if !h.open {
		return nil
	}
	h.open = false
	return h.sess.Close()
}

// exec runs one command on an open session, its output checked against
// MaxString.
func (h *cliHandle) exec(L *lua.LState, fn, cmd string) string {
	r := h.r
	out, err := h.sess.Exec(r.ctx, cmd)
	if err != nil {
		// Kept for call_home_send{outputs = true}, as a command action's
		// failure is noted in the call-home message.
		r.commands = append(r.commands, engine.CommandOutput{Command: cmd, Err: err.Error()})
		raiseAPI(L, r, errCLI, fn, err, true)
	}
	r.allocString(L, len(out), fn)
	r.commands = append(r.commands, engine.CommandOutput{Command: cmd, Output: out})
	return out
}

// apiCLIOpen is cli_open(): a handle for cli_exec and cli_close.
func (st *state) apiCLIOpen(L *lua.LState) int {
	h := runOf(L).openCLI(L, "cli_open")
	ud := L.NewUserData()
	ud.Value = h
	ud.Metatable = st.cliMT
	L.Push(ud)
	return 1
}

func checkHandle(L *lua.LState, fn string) *cliHandle {
	r := runOf(L)
	ud, ok := L.Get(1).(*lua.LUserData)
	var h *cliHandle
	if ok {
		h, ok = ud.Value.(*cliHandle)
	}
	if !ok || h.r != r {
		raiseAPIf(L, errCLI, fn, "argument 1 is not a handle from cli_open")
	}
	if !h.open {
		raiseAPIf(L, errCLI, fn, "the CLI session is closed")
	}
	return h
}

// apiCLIExec is cli_exec(handle, command): the command's output.
func apiCLIExec(L *lua.LState) int {
	h := checkHandle(L, "cli_exec")
	cmd := L.CheckString(2)
	L.Push(lua.LString(h.exec(L, "cli_exec", cmd)))
	return 1
}

// apiCLIClose is cli_close(handle).
func apiCLIClose(L *lua.LState) int {
	h := checkHandle(L, "cli_close")
	if err := h.close(); err != nil {
		raiseAPI(L, h.r, errCLI, "cli_close", err, true)
	}
	return 0
}

// apiCLIRun is cli_run{cmd, ...} (or cli_run(cmd, ...)): opens a session,
// runs the commands in order, closes it, and returns their outputs
// concatenated.
func apiCLIRun(L *lua.LState) int {
	r := runOf(L)
	var cmds []string
	if t, ok := L.Get(1).(*lua.LTable); ok {
		for i := 1; i <= t.Len(); i++ {
			v := t.RawGetInt(i)
			if !stringish(v) {
				raiseAPIf(L, errCLI, "cli_run", "command %d is a %s, not a string", i, v.Type())
			}
			cmds = append(cmds, lua.LVAsString(v))
		}
	} else {
		for i := 1; i <= L.GetTop(); i++ {
			cmds = append(cmds, L.CheckString(i))
		}
	}
	h := r.openCLI(L, "cli_run")
	var out strings.Builder
	for _, c := range cmds {
		o := h.exec(L, "cli_run", c)
		r.allocString(L, out.Len()+len(o), "cli_run")
		out.WriteString(o)
	}
	if err := h.close(); err != nil {
		raiseAPI(L, r, errCLI, "cli_run", err, true)
	}
	L.Push(lua.LString(out.String()))
	return 1
}

// fields reads a table argument's string and number fields.
func fields(t *lua.LTable) map[string]string {
	m := map[string]string{}
	t.ForEach(func(k, v lua.LValue) {
		if ks, ok := k.(lua.LString); ok && stringish(v) {
			m[string(ks)] = lua.LVAsString(v)
		}
	})
	return m
}

// parseSeverity reads an EEM priority ("warning", "err", "4").
func parseSeverity(s string, def ds.Severity) (ds.Severity, bool) {
	if s == "" {
		return def, true
	}
	sev, ok := ds.ParseSeverity(strings.ToLower(s))
	if !ok || sev == ds.SeverityAny {
		return 0, false
	}
	return sev, true
}

// apiActionSyslog is action_syslog{priority=..., msg=..., facility=...}
// (or action_syslog(msg)).
func apiActionSyslog(L *lua.LState) int {
	r := runOf(L)
	var m map[string]string
	if t, ok := L.Get(1).(*lua.LTable); ok {
		m = fields(t)
	} else {
		m = map[string]string{"msg": L.CheckString(1)}
	}
	sev, ok := parseSeverity(m["priority"], 6)
	if !ok {
		raiseAPIf(L, errSyslog, "action_syslog", "unknown priority %q", m["priority"])
	}
	msg := SyslogMessage{Severity: sev, Facility: m["facility"], Msg: m["msg"]}
	switch {
	case r.syslogLines >= r.opts.MaxSyslogLines:
		r.opts.OnCap(CapSyslog)
		raiseAPIf(L, errSyslog, "action_syslog", "this run has logged %d lines, the limit per run: gather the text and log it in fewer lines",
			r.syslogLines)
	case r.syslogBytes+len(msg.Msg) > r.opts.MaxSyslogBytes:
		r.opts.OnCap(CapSyslog)
		raiseAPIf(L, errSyslog, "action_syslog", "a message of %d bytes would take this run past %d bytes of syslog text, the limit per run: log less",
			len(msg.Msg), r.opts.MaxSyslogBytes)
	}
	r.syslogLines++
	r.syslogBytes += len(msg.Msg)
	if err := r.host.Syslog(r.ctx, msg); err != nil {
		raiseAPI(L, r, errSyslog, "action_syslog", err, true)
	}
	return 0
}

// apiSMTPSendEmail is smtp_send_email(text): header lines, a blank line,
// the body.
func apiSMTPSendEmail(L *lua.LState) int {
	r := runOf(L)
	m, err := parseMail(L.CheckString(1))
	if err != nil {
		raiseAPI(L, r, errSMTP, "smtp_send_email", err, false)
	}
	if err := r.host.SendMail(r.ctx, m); err != nil {
		raiseAPI(L, r, errSMTP, "smtp_send_email", err, true)
	}
	return 0
}

// parseMail reads the text smtp_send_email takes: "Name: value" header
// lines (Mailservername, From, To, Cc, Subject; others are kept in
// Headers), a blank line, then the body. To and Cc take comma- or
// space-separated addresses.
func parseMail(text string) (Mail, error) {
	var m Mail
	text = strings.ReplaceAll(text, "\r\n", "\n")
	head, body, found := strings.Cut(text, "\n\n")
	if !found {
		head, body = strings.TrimSuffix(text, "\n"), ""
	}
	m.Body = body
	for n, line := range strings.Split(head, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return Mail{}, fmt.Errorf("header line %d %q is not \"Name: value\" (end the headers with a blank line)", n+1, line)
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "mailservername":
			m.Servers = append(m.Servers, addresses(value)...)
		case "from":
			m.From = value
		case "to":
			m.To = append(m.To, addresses(value)...)
		case "cc":
			m.Cc = append(m.Cc, addresses(value)...)
		case "subject":
			m.Subject = value
		default:
			if m.Headers == nil {
				m.Headers = map[string]string{}
			}
			m.Headers[name] = value
		}
	}
	if len(m.To) == 0 {
		return Mail{}, fmt.Errorf("no To: address")
	}
	return m, nil
}

func addresses(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' })
}

// apiSMTPSubst is smtp_subst(template): $name and ${name} replaced by the
// value of the global name (a string or a number); other references are
// left as written.
func apiSMTPSubst(L *lua.LState) int {
	r := runOf(L)
	tmpl := L.CheckString(1)
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '$' || i+1 >= len(tmpl) {
			b.WriteByte(c)
			continue
		}
		start, end, braced := i+1, i+1, tmpl[i+1] == '{'
		if braced {
			start++
			end = start
		}
		for end < len(tmpl) && (isalpha(tmpl[end]) || isdigit(tmpl[end]) || tmpl[end] == '_') {
			end++
		}
		name := tmpl[start:end]
		if name == "" || isdigit(name[0]) || braced && (end >= len(tmpl) || tmpl[end] != '}') {
			b.WriteByte(c)
			continue
		}
		v := r.env.RawGetString(name)
		if !stringish(v) {
			b.WriteByte(c)
			continue
		}
		s := lua.LVAsString(v)
		r.allocString(L, b.Len()+len(s), "smtp_subst")
		b.WriteString(s)
		i = end - 1
		if braced {
			i++
		}
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// keyData reads (key, data) or {key=..., data=...}.
func keyData(L *lua.LState, withData bool) (string, string) {
	if t, ok := L.Get(1).(*lua.LTable); ok {
		m := fields(t)
		return m["key"], m["data"]
	}
	key := L.CheckString(1)
	if !withData {
		return key, ""
	}
	return key, L.CheckString(2)
}

func checkApplKey(L *lua.LState, fn, key string) {
	if key == "" || len(key) > maxApplKey {
		raiseAPIf(L, errAppl, fn, "the key must be 1 to %d bytes", maxApplKey)
	}
}

// apiApplSetinfo is appl_setinfo(key, data): data kept for later runs of
// the same DS.
func apiApplSetinfo(L *lua.LState) int {
	r := runOf(L)
	key, data := keyData(L, true)
	checkApplKey(L, "appl_setinfo", key)
	if len(data) > maxApplData {
		raiseAPIf(L, errAppl, "appl_setinfo", "data of %d bytes is over %d", len(data), maxApplData)
	}
	if err := r.host.ApplSet(r.ctx, key, data); err != nil {
		raiseAPI(L, r, errAppl, "appl_setinfo", err, true)
	}
	return 0
}

// apiApplReqinfo is appl_reqinfo(key): the saved data, or nil.
func apiApplReqinfo(L *lua.LState) int {
	r := runOf(L)
	key, _ := keyData(L, false)
	checkApplKey(L, "appl_reqinfo", key)
	data, ok, err := r.host.ApplGet(r.ctx, key)
	if err != nil {
		raiseAPI(L, r, errAppl, "appl_reqinfo", err, true)
	}
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	r.allocString(L, len(data), "appl_reqinfo")
	L.Push(lua.LString(data))
	return 1
}

// callHomeKeys are the keys call_home_send takes, with what each means;
// any other key is refused (by lint for a literal table, else at run
// time), so a script never believes it set something that is not sent.
var callHomeKeys = []struct{ name, doc string }{
	{"message", "text attached to the message as the output of \"script <DS id>\""},
	{"msg", "the same as message"},
	{"description", "the message's description (ch:MessageDescription); default the text of the event that fired"},
	{"severity", "the Call Home level: " + strings.Join(config.AlertSeverityNames(), ", ") + " or 0-9; default notification"},
	{"outputs", "true attaches the commands this script ran with cli_exec and cli_run, each with its output, in order"},
}

// callHomeHints explain keys authors try that call_home_send does not take.
var callHomeHints = map[string]string{
	"subject":     "the mail subject is Call Home's own (\"System Notification From HOST - diagnostic-signature:ID - TIME\"); set the message's description with description=",
	"alert_group": "a DS's messages are of type diagnostic-signature, sent to the DS profile",
	"attachments": "outputs = true attaches the commands the script ran; message= adds a text",
}

// callHomeKeyError says why key is not one call_home_send takes; "" if
// it is.
func callHomeKeyError(key string) string {
	var names []string
	for _, k := range callHomeKeys {
		if k.name == key {
			return ""
		}
		names = append(names, k.name)
	}
	msg := fmt.Sprintf("unknown key %q", english.Cut(key, 64))
	if h := callHomeHints[key]; h != "" {
		return msg + ": " + h
	}
	return msg + "; the keys are " + strings.Join(names, ", ")
}

// apiCallHomeSend is call_home_send{message=..., description=...,
// severity=..., outputs=true}: a diagnostic-signature message to the DS
// profile. Every key is checked: an unknown key, a value of the wrong
// type, or an entry without a name fails with CALLHOME_ERR.
func apiCallHomeSend(L *lua.LState) int {
	r := runOf(L)
	const fn = "call_home_send"
	t, ok := L.Get(1).(*lua.LTable)
	if !ok || L.GetTop() > 1 {
		raiseAPIf(L, errCallHome, fn, "takes one table: call_home_send{message = ..., description = ..., severity = ..., outputs = true}")
	}
	msg := CallHomeMessage{Severity: config.SeverityNotification}
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		key, isString := k.(lua.LString)
		if !isString {
			raiseAPIf(L, errCallHome, fn, "entry [%s] has no name; write name = value", english.Cut(lua.LVAsString(k), 64))
		}
		if e := callHomeKeyError(string(key)); e != "" {
			raiseAPIf(L, errCallHome, fn, "%s", e)
		}
		if key == "outputs" {
			b, isBool := v.(lua.LBool)
			if !isBool {
				raiseAPIf(L, errCallHome, fn, "outputs must be true or false, not a %s", v.Type())
			}
			if b {
				msg.Outputs = append([]engine.CommandOutput(nil), r.commands...)
			}
			continue
		}
		if !stringish(v) {
			raiseAPIf(L, errCallHome, fn, "%s must be a string, not a %s", key, v.Type())
		}
		val := lua.LVAsString(v)
		switch key {
		case "message", "msg":
			msg.Message = val
		case "description":
			msg.Description = val
		case "severity":
			sev, ok := parseAlertSeverity(val)
			if !ok {
				raiseAPIf(L, errCallHome, fn, "unknown severity %q; the Call Home levels are %s, or 0-9", english.Cut(val, 64),
					strings.Join(config.AlertSeverityNames(), ", "))
			}
			msg.Severity = sev
		}
	}
	if err := r.host.CallHome(r.ctx, msg); err != nil {
		raiseAPI(L, r, errCallHome, fn, err, true)
	}
	return 0
}

// parseAlertSeverity reads a Call Home level: a keyword or 0-9.
func parseAlertSeverity(s string) (config.AlertSeverity, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 9 {
		return config.AlertSeverity(n), true
	}
	return config.ParseAlertSeverity(s)
}

// apiContextSave is context_save(name, table): the table's string and
// number fields, saved for context_retrieve.
func apiContextSave(L *lua.LState) int {
	r := runOf(L)
	name := L.CheckString(1)
	vars := fields(L.CheckTable(2))
	if err := r.host.ContextSave(r.ctx, name, vars); err != nil {
		raiseAPI(L, r, errContext, "context_save", err, true)
	}
	return 0
}

// apiContextRetrieve is context_retrieve(name [, var]): the saved table
// (or one of its values), or nil; the context is forgotten.
func apiContextRetrieve(L *lua.LState) int {
	r := runOf(L)
	name := L.CheckString(1)
	vars, ok, err := r.host.ContextRetrieve(r.ctx, name)
	if err != nil {
		raiseAPI(L, r, errContext, "context_retrieve", err, true)
	}
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	if v := L.OptString(2, ""); v != "" {
		if s, found := vars[v]; found {
			L.Push(lua.LString(s))
		} else {
			L.Push(lua.LNil)
		}
		return 1
	}
	t := L.CreateTable(0, len(vars))
	for k, v := range vars {
		t.RawSetString(k, lua.LString(v))
	}
	L.Push(t)
	return 1
}
