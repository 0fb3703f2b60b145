package applet

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds/snmp"
)

// InfoHost is what "action info" and "action snmp-trap" ask of a Host
// besides the Host interface: a Host without it refuses those actions.
type InfoHost interface {
	// RouterName is the device's name: the configured hostname, else the
	// machine's ($_info_routername).
	RouterName(ctx context.Context) (string, error)
	// InterfaceNames are the names of the device's interfaces, in the
	// device's order ($_info_interface_names).
	InterfaceNames(ctx context.Context) ([]string, error)
	// SNMPGet asks an SNMP agent for one variable and returns its OID
	// (the next one for a getnext) and its value as text.
	SNMPGet(ctx context.Context, q SNMPGet) (oid, value string, err error)
	// SNMPTrap sends the EEM policy notification (cEventMgrPolicyEvent)
	// to every configured trap receiver.
	SNMPTrap(ctx context.Context, t SNMPTrap) error
}

// SNMPGet is one "action info type snmp oid" request, after variable
// substitution.
type SNMPGet struct {
	OID  string
	Next bool // get-type next: the first variable after OID
	// Community and Address (HOST or HOST:PORT, "ipaddr") are empty when
	// the action does not give them: the Host's configured agent's.
	Community string
	Address   string
}

// SNMPTrap is one "action snmp-trap": the applet's name and the data the
// action gives (nil when it does not).
type SNMPTrap struct {
	Applet string
	// EventType is the run's $_event_type ("" for none), ExitStatus its
	// $_exit_status so far: the notification's ceemHistoryEventType1 and
	// ceemHistoryPolicyExitStatus.
	EventType  string
	ExitStatus int32
	IntData1   *int32
	IntData2   *int32
	StrData    *string
}

const infoUsage = "usage: info type routername | info type interface-names [regexp PATTERN] | " +
	"info type snmp oid OID get-type exact|next [community NAME] [ipaddr ADDRESS]"

// info type routername | interface-names [regexp RE] | snmp oid OID
// get-type exact|next [community C] [ipaddr A]: asks the Host and sets
// $_info_routername, $_info_interface_names (the names separated by
// blanks, those matching RE when given) or $_info_snmp_oid and
// $_info_snmp_value.
func compileInfo(args []string) (func(r *run) error, error) {
	if len(args) < 2 || !strings.EqualFold(args[0], "type") {
		return nil, errors.New(infoUsage)
	}
	kind, rest := strings.ToLower(args[1]), args[2:]
	switch kind {
	case "routername":
		if len(rest) != 0 {
			return nil, fmt.Errorf("unexpected %q; %s", rest[0], infoUsage)
		}
		return func(r *run) error {
			h, err := infoHost(r, kind)
			if err != nil {
				return err
			}
			name, err := h.RouterName(r.ctx)
			if err != nil {
				return fmt.Errorf("info type routername: %w", err)
			}
			return r.set("_info_routername", name)
		}, nil
	case "interface-names":
		return compileInterfaceNames(rest)
	case "snmp":
		if len(rest) > 0 && !strings.EqualFold(rest[0], "oid") {
			return nil, fmt.Errorf("info type snmp %s: %w; dsengine runs info type snmp oid", rest[0], ErrUnsupported)
		}
		return compileSNMPGet(rest)
	}
	return nil, fmt.Errorf("info type %s: %w; %s", args[1], ErrUnsupported, infoUsage)
}

func compileInterfaceNames(args []string) (func(r *run) error, error) {
	m, err := keywords(args, "regexp")
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, infoUsage)
	}
	pattern, hasPattern := m["regexp"]
	if hasPattern {
		if err := checkRegexp(pattern); err != nil {
			return nil, err
		}
	}
	return func(r *run) error {
		h, err := infoHost(r, "interface-names")
		if err != nil {
			return err
		}
		names, err := h.InterfaceNames(r.ctx)
		if err != nil {
			return fmt.Errorf("info type interface-names: %w", err)
		}
		if hasPattern {
			p, err := r.expand(pattern)
			if err != nil {
				return err
			}
			re, err := r.regexp(p)
			if err != nil {
				return err
			}
			kept := names[:0:0]
			for _, n := range names {
				if re.MatchString(n) {
					kept = append(kept, n)
				}
			}
			names = kept
		}
		return r.set("_info_interface_names", strings.Join(names, " "))
	}, nil
}

func compileSNMPGet(args []string) (func(r *run) error, error) {
	m, err := keywords(args, "oid", "get-type", "community", "ipaddr")
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, infoUsage)
	}
	if err := require(m, "oid", "get-type"); err != nil {
		return nil, fmt.Errorf("%w: %s", err, infoUsage)
	}
	if !hasVarRef(m["oid"]) {
		if err := snmp.CheckOID(m["oid"]); err != nil {
			return nil, err
		}
	}
	if !hasVarRef(m["get-type"]) {
		if _, err := getType(m["get-type"]); err != nil {
			return nil, err
		}
	}
	return func(r *run) error {
		var q SNMPGet
		var getT string
		for _, f := range []struct {
			key string
			dst *string
		}{{"oid", &q.OID}, {"get-type", &getT}, {"community", &q.Community}, {"ipaddr", &q.Address}} {
			v, err := r.expand(m[f.key])
			if err != nil {
				return err
			}
			*f.dst = strings.TrimSpace(v)
		}
		if err := snmp.CheckOID(q.OID); err != nil {
			return err
		}
		var err error
		if q.Next, err = getType(getT); err != nil {
			return err
		}
		h, err := infoHost(r, "snmp")
		if err != nil {
			return err
		}
		oid, value, err := h.SNMPGet(r.ctx, q)
		if err != nil {
			return fmt.Errorf("info type snmp oid %s: %w", q.OID, err)
		}
		if err := r.set("_info_snmp_oid", oid); err != nil {
			return err
		}
		return r.set("_info_snmp_value", value)
	}, nil
}

// getType reads get-type exact|next; it reports whether it is next.
func getType(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "exact":
		return false, nil
	case "next":
		return true, nil
	}
	return false, fmt.Errorf("get-type %q is not exact or next", s)
}

// snmp-trap [intdata1 N] [intdata2 N] [strdata "TEXT"]: sends the EEM
// policy notification with the applet's name and the data given.
func compileSNMPTrap(args []string) (func(r *run) error, error) {
	usage := `usage: snmp-trap [intdata1 INTEGER] [intdata2 INTEGER] [strdata "TEXT"]`
	m, err := keywords(args, "intdata1", "intdata2", "strdata")
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, usage)
	}
	for _, k := range []string{"intdata1", "intdata2"} {
		if v, ok := m[k]; ok && !hasVarRef(v) {
			if _, err := intData(k, v); err != nil {
				return nil, err
			}
		}
	}
	if v, ok := m["strdata"]; ok && !hasVarRef(v) {
		if err := snmp.CheckStrData(v); err != nil {
			return nil, err
		}
	}
	return func(r *run) error {
		t := SNMPTrap{Applet: r.applet.Name, EventType: r.env.Event["_event_type"]}
		if v, ok := r.lookup("_exit_status"); ok {
			if n, err := strconv.ParseInt(v, 10, 32); err == nil {
				t.ExitStatus = int32(n)
			}
		}
		for _, f := range []struct {
			key string
			dst **int32
		}{{"intdata1", &t.IntData1}, {"intdata2", &t.IntData2}} {
			v, ok := m[f.key]
			if !ok {
				continue
			}
			s, err := r.expand(v)
			if err != nil {
				return err
			}
			n, err := intData(f.key, s)
			if err != nil {
				return err
			}
			*f.dst = &n
		}
		if v, ok := m["strdata"]; ok {
			s, err := r.expand(v)
			if err != nil {
				return err
			}
			if err := snmp.CheckStrData(s); err != nil {
				return err
			}
			t.StrData = &s
		}
		h, err := infoHost(r, "snmp-trap")
		if err != nil {
			return err
		}
		if err := h.SNMPTrap(r.ctx, t); err != nil {
			return fmt.Errorf("snmp-trap: %w", err)
		}
		return nil
	}, nil
}

// intData reads an intdata value: an Integer32.
func intData(key, s string) (int32, error) {
	n, err := snmp.ParseIntData(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%s %w", key, err)
	}
	return n, nil
}

// infoHost returns the run's Host as an InfoHost, or refuses.
func infoHost(r *run, what string) (InfoHost, error) {
	h, ok := r.host.(InfoHost)
	if !ok {
		return nil, fmt.Errorf("%s: refused: this host has no device information or SNMP (%w)", what, ErrUnsupported)
	}
	return h, nil
}
