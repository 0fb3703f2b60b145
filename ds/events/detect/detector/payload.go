package detector

import "strconv"

// Payload is what one type's fire carries besides the fields every Fired
// has: each detector package declares its own (oir.Fire, track.Fire …),
// and the payload supplies what the rest of dsengine needs of it, so that
// nothing outside the type's package switches on the type.
type Payload interface {
	// Text describes the occurrence in one line ("slot 3 remove"), for
	// records and messages, when no syslog message caused it.
	Text() string
	// Info adds the type's fields of EEM's event_reqinfo() to info
	// ("slot", "track_state" …), when no syslog message caused it.
	Info(info map[string]string)
	// Builtins adds the type's applet $_ variables to v ("_oir_slot" …).
	Builtins(v map[string]string)
	// Vars returns the ds_ variables the occurrence supplies
	// (ds_syslog_msg, ds_syslog_1 …), nil when it has none.
	Vars() map[string]string
}

// TypeStringer is a Payload whose fires EEM names more finely than by
// their detector type: $_event_type_string is "timer watchdog" for a
// periodic fire. Without it, the string is the type ("syslog", "none").
type TypeStringer interface {
	EventTypeString() string
}

// EventTypeString is the fire's $_event_type_string: its payload's
// (TypeStringer), else its type.
func (f Fired) EventTypeString() string {
	if ts, ok := f.Payload.(TypeStringer); ok {
		return ts.EventTypeString()
	}
	return string(f.Type)
}

// pubTime is how EEM writes the time an event was published.
const pubTime = "Mon Jan _2 15:04:05 2006"

// Vars returns the ds_ variables of the fire (its payload's).
func (f Fired) Vars() map[string]string {
	if f.Payload == nil {
		return nil
	}
	return f.Payload.Vars()
}

// Text describes the fire in one line: the body of the syslog message
// that caused it, else its payload's text, else its type.
func (f Fired) Text() string {
	switch {
	case f.Message != nil:
		return f.Message.Body
	case f.Payload != nil:
		return f.Payload.Text()
	}
	return string(f.Type)
}

// Info returns the fields scripts read with event_reqinfo(): event_id,
// event_type, event_pub_sec and event_pub_time, then msg and host when a
// syslog message caused the fire, else the payload's fields.
func (f Fired) Info() map[string]string {
	info := map[string]string{
		"event_id":       f.EventID,
		"event_type":     string(f.Type),
		"event_pub_sec":  strconv.FormatInt(f.Time.Unix(), 10),
		"event_pub_time": f.Time.UTC().Format(pubTime),
	}
	switch {
	case f.Message != nil:
		info["msg"] = f.Message.Body
		info["host"] = f.Host
	case f.Payload != nil:
		f.Payload.Info(info)
	}
	return info
}

// Builtins returns the applet $_ variables of the fire: _event_type,
// _event_type_string ("timer watchdog", "syslog" …), _event_id,
// _event_pub_sec and _event_pub_msec (the time in Unix seconds, and its
// milliseconds), _event_pub_time ("Sun Dec  6 07:37:44 2026"),
// _syslog_msg when a syslog message caused it, and the payload's
// (_oir_slot, _track_state, _none_arg1 …).
func Builtins(f Fired) map[string]string {
	v := map[string]string{
		"_event_type":        string(f.Type),
		"_event_type_string": f.EventTypeString(),
		"_event_id":          f.EventID,
		"_event_pub_sec":     strconv.FormatInt(f.Time.Unix(), 10),
		"_event_pub_msec":    strconv.Itoa(f.Time.Nanosecond() / 1e6),
		"_event_pub_time":    f.Time.Format(pubTime),
	}
	if f.Message != nil {
		v["_syslog_msg"] = f.Message.Body
	}
	if f.Payload != nil {
		f.Payload.Builtins(v)
	}
	return v
}
