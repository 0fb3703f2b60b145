package ds

// ActionType names what an action does (SPEC §2).
type ActionType string

// The action types.
const (
	ActionCommand  ActionType = "command"
	ActionCallHome ActionType = "call-home"
	ActionEmailTo  ActionType = "emailto"
	ActionScript   ActionType = "script"
	ActionMessage  ActionType = "message"
)

// Action is one step of a DS, run in document order. Text is the element's
// content: the command, the script, the message, or the mail body. Every
// string may contain ${ds_x} until rendered.
type Action struct {
	Type     ActionType
	Text     string
	To       string   // emailto: addresses (comma-separated); message: "syslog" or "terminals"
	Subject  string   // emailto
	Lang     string   // script: "lua"
	Severity Severity // message: syslog severity, default notifications
	Timeout  string   // command, script: optional Go duration as written
	Pos      Pos
	// TextPos is where a script's Text starts in the file: its Lua line N
	// is the file's line TextPos.Line+N-1 (set for script actions only).
	TextPos Pos
}
