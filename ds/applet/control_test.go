package applet

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestIfElseifElse(t *testing.T) {
	prog := []string{
		`if $x lt 10`,
		` if $x lt 5`,
		`  puts "small"`,
		` else`,
		`  puts "medium"`,
		` end`,
		`elseif $x eq 10`,
		` puts "ten"`,
		`elseif $x le 100`,
		` puts "big"`,
		`else`,
		` if $x ne 1000`,
		`  puts "huge"`,
		` end`,
		`end`,
		`puts "done"`,
	}
	for x, want := range map[string]string{
		"1": "small", "7": "medium", "10": "ten", "11": "big", "100": "big", "101": "huge", "1000": "",
		// not integers: compared as strings
		"abc": "huge", "-": "small",
	} {
		out := want + "\n"
		if want == "" {
			out = ""
		}
		c := runCase{name: x, lines: trimAll(prog), envVar: map[string]string{"x": x}, out: out + "done\n"}
		t.Run(x, c.run)
	}
}

func trimAll(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimSpace(l)
	}
	return out
}

func TestConditions(t *testing.T) {
	for _, c := range []struct {
		a, op, b string
		want     bool
	}{
		{"9", "lt", "10", true},    // numeric, though "9" > "10" as strings
		{"abc", "lt", "abd", true}, // strings
		{"10", "gt", "9", true},    // numeric
		{"10", "gt", "9x", false},  // string: "10" < "9x"
		{" 5", "eq", "5", true},    // blanks around integers do not count
		{"-3", "lt", "2", true},    // negative
		{"1.0", "eq", "1", false},  // not long integers: strings
		{"a", "ne", "b", true},     //
		{"5", "ge", "5", true},     //
		{"5", "le", "4", false},    //
		{"$unset", "eq", "$unset", true},
	} {
		name := fmt.Sprintf("%s %s %s", c.a, c.op, c.b)
		out := "no\n"
		if c.want {
			out = "yes\n"
		}
		rc := runCase{name: name, lines: []string{
			fmt.Sprintf(`if "%s" %s "%s"`, c.a, c.op, c.b), `puts "yes"`, `else`, `puts "no"`, `end`}, out: out}
		t.Run(name, rc.run)
	}
}

func TestLoops(t *testing.T) {
	runAll(t, []runCase{
		{name: "while with break and continue",
			lines: []string{
				`set i 0`,
				`while $i lt 100`,
				`increment i`,
				`if $i eq 2`,
				`continue`,
				`end`,
				`if $i gt 4`,
				`break`,
				`end`,
				`puts "$i"`,
				`end`,
				`puts "after $i"`},
			out: "1\n3\n4\nafter 5\n"},
		{name: "while false never runs",
			lines: []string{`while 1 eq 2`, `puts "never"`, `end`, `puts "x"`}, out: "x\n"},
		{name: "foreach default delimiter is blanks",
			lines: []string{`foreach i "a  b	c"`, `puts "<$i>"`, `end`},
			out:   "<a>\n<b>\n<c>\n"},
		{name: "foreach custom delimiter",
			lines: []string{`foreach i "Gi1/0/1,Gi1/0/2,,Gi1/0/3" ","`, `puts "$i"`, `end`},
			out:   "Gi1/0/1\nGi1/0/2\nGi1/0/3\n"},
		{name: "foreach lines of CLI output",
			lines: []string{`cli command "show ip int brief"`, `foreach line "$_cli_result" "\n"`,
				`regexp "^(\S+).*down" "$line" m intf`, `if $_regexp_result eq 1`, `puts "$intf"`, `end`, `end`},
			cli: map[string]string{"show ip int brief": "Gi1 up up\nGi2 down down\r\nGi3 up up\nGi4 admin down\n"},
			out: "Gi2\nGi4\n"},
		{name: "foreach empty list",
			lines: []string{`foreach i ""`, `puts "never"`, `end`, `puts "x"`}, out: "x\n"},
		{name: "foreach with break and continue, nested",
			lines: []string{
				`foreach a "1 2 3"`,
				`if $a eq 2`,
				`continue`,
				`end`,
				`foreach b "x y z"`,
				`if $b eq y`,
				`break`,
				`end`,
				`puts "$a$b"`,
				`end`,
				`end`},
			out: "1x\n3x\n"},
		{name: "foreach again after break starts over",
			lines: []string{
				`set n 0`,
				`while $n lt 2`,
				`increment n`,
				`foreach i "a b c"`,
				`puts "$n$i"`,
				`break`,
				`end`,
				`end`},
			out: "1a\n2a\n"},
		{name: "iterator keeps the last item",
			lines: []string{`foreach i "a b"`, `end`, `puts "$i"`}, out: "b\n"},
		{name: "bad delimiter",
			lines: []string{`foreach i "a" "("`, `end`}, err: "delimiter: bad regular expression"},
		{name: "bad delimiter from a variable",
			lines: []string{`set d "("`, `foreach i "a" "$d"`, `end`}, err: "delimiter: bad regular expression"},
		{name: "goto",
			lines: []string{
				`action 1 set i 0`,
				`action 2 increment i`,
				`action 3 if $i lt 3 goto 2`,
				`action 4 puts "$i"`},
			out: "3\n"},
		{name: "goto skips",
			lines: []string{
				`action 1 if 1 eq 1 goto 3`,
				`action 2 puts "skipped"`,
				`action 3 puts "landed"`},
			out: "landed\n"},
		{name: "exit inside loops",
			lines: []string{`foreach i "1 2 3"`, `while 1 eq 1`, `exit 2`, `end`, `end`, `puts "never"`},
			vars:  map[string]string{"_exit_status": "2"}},
	})
}

func TestUnmatchedBlocks(t *testing.T) {
	for _, c := range []struct {
		name  string
		lines []string
		want  string
	}{
		{"end without if", []string{`cli command "show clock"`, `end`}, "action 0002 end (line 4): end without an open if, while or foreach"},
		{"else without if", []string{`cli command "show clock"`, `else`}, "else without an open if"},
		{"elseif without if", []string{`cli command "show clock"`, `elseif 1 eq 1`}, "elseif without an open if"},
		{"else in a while", []string{`while 1 eq 1`, `else`, `end`}, "else without an open if"},
		{"elseif after else", []string{`if 1 eq 1`, `else`, `elseif 2 eq 2`, `end`}, "elseif after else (line 4)"},
		{"two elses", []string{`if 1 eq 1`, `else`, `else`, `end`}, "else after else"},
		{"if without end", []string{`cli command "show clock"`, `if 1 eq 1`, `puts "x"`}, "action 0002 if (line 4): if without a matching end"},
		{"while without end", []string{`while 1 eq 1`}, "while without a matching end"},
		{"foreach without end", []string{`foreach i "a"`}, "foreach without a matching end"},
		{"break outside a loop", []string{`if 1 eq 1`, `break`, `end`}, "break outside a while or foreach loop"},
		{"continue outside a loop", []string{`continue`}, "continue outside a while or foreach loop"},
		{"end with arguments", []string{`if 1 eq 1`, `end now`}, `end takes no arguments`},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHost()
			_, err := Run(context.Background(), parseApplet(t, c.lines...), Env{}, h)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if len(h.Calls()) != 0 {
				t.Errorf("ran %q before reporting the error", h.Calls())
			}
		})
	}
}

func TestNestingDepth(t *testing.T) {
	nest := func(n int) []string {
		var lines []string
		for i := 0; i < n; i++ {
			switch i % 3 {
			case 0:
				lines = append(lines, `if 1 eq 1`)
			case 1:
				lines = append(lines, `while 1 eq 1`)
			case 2:
				lines = append(lines, `foreach i "x"`)
			}
		}
		lines = append(lines, `exit 9`)
		for i := 0; i < n; i++ {
			lines = append(lines, `end`)
		}
		return lines
	}
	res, err := Run(context.Background(), parseApplet(t, nest(MaxDepth)...), Env{}, newHost())
	if err != nil || res.Exit != 9 {
		t.Fatalf("depth %d: exit %d, %v", MaxDepth, res.Exit, err)
	}
	err = Check(parseApplet(t, nest(MaxDepth+20)...))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("blocks nest deeper than %d", MaxDepth)) {
		t.Fatalf("depth %d: %v", MaxDepth+20, err)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 1 {
		t.Errorf("%d errors, want 1: %v", n, err)
	}
}
