package vars

import (
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
)

// Known holds the values that exist before a DS runs: the system, the
// configuration's environment, and the prompt answers given at install.
type Known struct {
	Hostname    string
	Environment map[string]string // `environment ds_x VALUE` under diagnostic-signature
	Prompts     map[string]string // answers stored in bootflash at install
	Now         time.Time
}

// Missing is a variable that has no value, with what to do about it.
type Missing struct {
	Name   string
	Source ds.VariableSource
	Hint   string
}

func (m Missing) String() string {
	return fmt.Sprintf("%s variable %s is not set; %s", m.Source, m.Name, m.Hint)
}

// Unresolved lists the environment and prompt variables of sig that have
// no value; a DS with any stays pending. Regex and syslog variables get
// their values when the DS runs, so they never keep it pending.
func Unresolved(sig *ds.Signature, k Known) []Missing {
	var out []Missing
	for _, v := range sig.Variables {
		switch v.Source {
		case ds.SourceEnvironment:
			if _, ok := k.Environment[v.Name]; !ok {
				out = append(out, Missing{v.Name, v.Source,
					fmt.Sprintf("add `environment %s VALUE` under `call-home` → `diagnostic-signature` and reload", v.Name)})
			}
		case ds.SourcePrompt:
			if _, ok := k.Prompts[v.Name]; !ok {
				out = append(out, Missing{v.Name, v.Source,
					fmt.Sprintf("answer it with `call-home diagnostic-signature install %s --set %s=VALUE`", sig.ID, v.Name)})
			}
		}
	}
	return out
}

// Values returns every value known before a run: the system variables and
// the environment and prompt variables sig declares, then the values of
// each of over in turn, which take precedence (a trigger's events'
// captures). The map is sized once for all of them: a run builds one per
// trigger.
func Values(sig *ds.Signature, k Known, over ...map[string]string) map[string]string {
	n := 5 + len(sig.Variables)
	for _, o := range over {
		n += len(o)
	}
	vals := make(map[string]string, n)
	vals["ds_hostname"] = k.Hostname
	vals["ds_signature_id"] = sig.ID
	vals["ds_signature_name"] = sig.Name
	vals["ds_signature_revision"] = string(sig.Revision)
	vals["ds_timestamp"] = k.Now.UTC().Format("2006-01-02 15:04:05")
	for _, v := range sig.Variables {
		switch v.Source {
		case ds.SourceEnvironment:
			if val, ok := k.Environment[v.Name]; ok {
				vals[v.Name] = val
			}
		case ds.SourcePrompt:
			if val, ok := k.Prompts[v.Name]; ok {
				vals[v.Name] = val
			}
		}
	}
	for _, o := range over {
		maps.Copy(vals, o)
	}
	return vals
}

// Substitute replaces each ${ds_x} in s with its value. References with no
// value are left as written and returned, sorted, so the caller can report
// them.
func Substitute(s string, values map[string]string) (string, []string) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	var missing []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			break
		}
		name := s[i+2 : i+j]
		b.WriteString(s[:i])
		if val, ok := values[name]; ok {
			b.WriteString(val)
		} else {
			b.WriteString(s[i : i+j+1])
			missing = append(missing, name)
		}
		s = s[i+j+1:]
	}
	sort.Strings(missing)
	return b.String(), missing
}
