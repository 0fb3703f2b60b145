package parse

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	actiontypes "github.com/dsengine/dsengine/ds/actions/types"
	"github.com/dsengine/dsengine/ds/events/detect/types"
	"github.com/dsengine/dsengine/internal/testserver"
)

// schemaPath is docs/ds.xsd, the XML Schema of the format.
var schemaPath = filepath.Join("..", "..", "docs", "ds.xsd")

// parserOnly are the bad cases the schema accepts, with the reason only
// the parser sees them: XSD 1.0 (what xmllint implements) cannot choose an
// element's attributes or text by the value of its type attribute, nor
// check regular expressions, cron entries, variable references, the
// Correlate expression or the file-level policies (DOCTYPE, encoding).
// TestSchemaAgreesOnBadCorpus fails when one of these is refused by the
// schema after all, so the list stays exact. A name that is not (or not
// yet) a bad case is ignored: parts of the format land on their own.
var parserOnly = map[string]string{
	// values the parser reads with its own grammar
	"invalid RE2":                      "regular expressions are RE2",
	"lookahead is not RE2":             "regular expressions are RE2",
	"bad cron":                         "cron entries",
	"regex without capture group":      "the capture group of a regex variable's pattern",
	"interval under 1s":                "a duration's minimum (a pattern cannot compare durations)",
	"bad email":                        "e-mail addresses (to also holds syslog|terminals for message)",
	"eem line error":                   "the EEM event line's own grammar",
	"eem line on its own line":         "the EEM event line's own grammar",
	"eem tag mismatch":                 "the EEM line's tag against id",
	"Correlate names unknown event":    "the Correlate expression",
	"Correlate not boolean":            "the Correlate expression",
	"Correlate syntax":                 "the Correlate expression",
	"Correlate unknown function":       "the Correlate expression",
	"seed-correlate-tricks":            "the Correlate expression",
	"Correlate count of expression":    "the Correlate expression",
	"undeclared variable in attribute": "variable references",
	"undeclared variable in text":      "variable references",
	"unterminated ${":                  "variable references",
	"variable reference without ds_":   "variable references",
	"entity shifts columns":            "variable references",
	"seed-entities-crlf-cdata":         "the EEM line's occurs 0, a variable reference",
	"CDATA and CR LF":                  "variable references",
	"declaring a system variable":      "built-in variable names",
	"declaring a syslog capture":       "built-in variable names",
	"duplicate event id":               "id uniqueness (xs:unique cannot be scoped to ids that are present)",
	"id reserved":                      "the Correlate language's reserved words",
	"duplicate variable":               "variable name uniqueness",
	"several events without Correlate": "a Correlate needed only when there are several events",
	"missing id with several events":   "an id needed only when there are several events",
	// attributes and text by type: XSD 1.0 has no conditional types
	"prompt without prompt":   "attributes by source",
	"regex without command":   "attributes by source",
	"environment with prompt": "attributes by source",
	"cron and interval":       "attributes by type",
	"no schedule":             "attributes by type",
	"script without lang":     "attributes by type",
	"email without to":        "attributes by type",
	"eem with attribute":      "attributes by type",
	"empty eem":               "text by type",
	"empty script":            "text by type",
	"command without text":    "text by type",
	"call-home with text":     "text by type",
	// the bad cases of per-key state (group-by on events, max-keys), merged from its own branch
	"max-keys without group-by":                  "attributes that need another",
	"group-by a variable the event does not set": "the variables an event sets",
	// file-level policies of the parser, not structure
	"DOCTYPE": "a DOCTYPE is refused as policy",
	"ENTITY":  "a DOCTYPE is refused as policy",
	"latin1":  "a DS file is UTF-8",
}

func TestSchemaAcceptsEveryDS(t *testing.T) {
	testserver.Require(t, "xmllint")
	files := map[string][]byte{}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".xml") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte("<DiagnosticSignature")) {
			files[path] = data
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	for _, md := range append(docs, filepath.Join(root, "README.md")) {
		for name, data := range xmlBlocks(t, md) {
			files[name] = data
		}
	}
	bundled := 0
	for path := range files {
		if strings.HasPrefix(path, filepath.Join(root, "signatures")+string(filepath.Separator)) {
			bundled++
		}
	}
	if bundled < 8 {
		t.Fatalf("found %d bundled signatures under signatures/; want at least 8", bundled)
	}
	accepted := map[string][]byte{}
	for path, data := range files {
		if _, err := ParseSignature(path, data); err == nil {
			accepted[path] = data
		} else if strings.Contains(path, "signatures") || strings.Contains(path, ".md#") {
			t.Errorf("%s: the parser refuses a bundled or documented DS:\n%v", path, err)
		}
	}
	if len(accepted) < 12 {
		t.Fatalf("only %d DS files and examples parse; the walk from %s missed them", len(accepted), root)
	}
	for path, out := range validate(t, accepted) {
		if out != "" {
			t.Errorf("%s: the parser accepts it, the schema refuses it:\n%s", path, out)
		}
	}
}

// xmlBlocks returns the ```xml blocks of a Markdown file that are whole DS
// files, named FILE.md#LINE.
func xmlBlocks(t *testing.T, md string) map[string][]byte {
	t.Helper()
	f, err := os.Open(md)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]byte{}
	var block *bytes.Buffer
	start := 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case block == nil && strings.TrimSpace(line) == "```xml":
			block, start = &bytes.Buffer{}, n
		case block != nil && strings.TrimSpace(line) == "```":
			if bytes.Contains(block.Bytes(), []byte("</DiagnosticSignature>")) {
				out[fmt.Sprintf("%s#%d", md, start)] = bytes.Clone(block.Bytes())
			}
			block = nil
		case block != nil:
			block.WriteString(line + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSchemaAgreesOnBadCorpus(t *testing.T) {
	testserver.Require(t, "xmllint")
	bad := map[string][]byte{}
	for _, c := range badCases {
		if _, err := ParseSignature("t.xml", []byte(c.data)); err == nil {
			t.Fatalf("bad case %q parses", c.name)
		}
		bad[c.name] = []byte(c.data)
	}
	// The fuzz seeds are hostile inputs the parser refuses.
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParseSignature", "seed-*"))
	for _, path := range seeds {
		data := fuzzSeed(t, path)
		if _, err := ParseSignature("t.xml", data); err == nil {
			t.Errorf("%s: the parser accepts a hostile seed", path)
			continue
		}
		bad[filepath.Base(path)] = data
	}
	for name, out := range validate(t, bad) {
		why, listed := parserOnly[name]
		switch {
		case out == "" && !listed:
			t.Errorf("bad case %q: the parser refuses it, the schema accepts it; make docs/ds.xsd refuse it, or list it in parserOnly with the reason only the parser can see it", name)
		case out != "" && listed:
			t.Errorf("bad case %q is listed in parserOnly (%s), but the schema refuses it too; remove it from the list:\n%s", name, why, out)
		}
	}
}

// fuzzSeed reads a `go test fuzz v1` file holding one []byte.
func fuzzSeed(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := bytes.Cut(data, []byte("\n"))
	lit, ok := strings.CutPrefix(strings.TrimSpace(string(rest)), "[]byte(")
	if !ok || !strings.HasSuffix(lit, ")") {
		t.Fatalf("%s: not a []byte seed", path)
	}
	s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}

// validateLine is xmllint's verdict on one file.
var validateLine = regexp.MustCompile(`^(.*) validates$`)

// validate runs xmllint --schema docs/ds.xsd once over every file and
// returns, per name, "" when the schema accepts it, or what xmllint said.
func validate(t *testing.T, files map[string][]byte) map[string]string {
	t.Helper()
	dir := t.TempDir()
	byPath := map[string]string{}
	args := []string{"--noout", "--nonet", "--schema", schemaPath}
	i := 0
	for name, data := range files {
		i++
		p := filepath.Join(dir, fmt.Sprintf("f%03d.xml", i))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		byPath[p] = name
		args = append(args, p)
	}
	out, err := exec.CommandContext(t.Context(), "xmllint", args...).CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("xmllint: %v", err)
	}
	if bytes.Contains(out, []byte("failed to compile")) || bytes.Contains(out, []byte("Schemas parser error")) {
		t.Fatalf("xmllint cannot read %s:\n%s", schemaPath, out)
	}
	said := map[string]*strings.Builder{}
	verdict := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if m := validateLine.FindStringSubmatch(line); m != nil {
			if name, ok := byPath[m[1]]; ok {
				verdict[name] = ""
				continue
			}
		}
		for p, name := range byPath {
			if strings.HasPrefix(line, p) {
				if said[name] == nil {
					said[name] = &strings.Builder{}
				}
				said[name].WriteString(strings.Replace(line, p, "", 1) + "\n")
				break
			}
		}
	}
	for _, name := range byPath {
		if _, ok := verdict[name]; ok {
			continue
		}
		verdict[name] = "refused"
		if b := said[name]; b != nil {
			verdict[name] = b.String()
		}
	}
	return verdict
}

// TestXMLModelInstruction: docs/ds-format.md tells authors to name the
// schema with an xml-model processing instruction, which the parser must
// ignore, and xmllint too.
func TestXMLModelInstruction(t *testing.T) {
	testserver.Require(t, "xmllint")
	data := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
		`<?xml-model href="../docs/ds.xsd" type="application/xml" schematypens="http://www.w3.org/2001/XMLSchema"?>` + "\n" + ev("")
	if _, err := ParseSignature("t.xml", []byte(data)); err != nil {
		t.Fatalf("the parser refuses a DS with an xml-model instruction:\n%v", err)
	}
	if out := validate(t, map[string][]byte{"t.xml": []byte(data)})["t.xml"]; out != "" {
		t.Errorf("the schema refuses a DS with an xml-model instruction:\n%s", out)
	}
}

// TestSchemaListsEveryType: the schema's event and action types and
// their attributes are those of the type tables, so a new type or
// attribute cannot be forgotten in docs/ds.xsd.
func TestSchemaListsEveryType(t *testing.T) {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Types []struct {
			Name   string `xml:"name,attr"`
			Values []struct {
				Value string `xml:"value,attr"`
			} `xml:"restriction>enumeration"`
		} `xml:"simpleType"`
		Complex []struct {
			Name  string `xml:"name,attr"`
			Attrs []struct {
				Name string `xml:"name,attr"`
			} `xml:"simpleContent>extension>attribute"`
		} `xml:"complexType"`
	}
	if err := xml.Unmarshal(data, &schema); err != nil {
		t.Fatalf("%s: %v", schemaPath, err)
	}
	enum := map[string][]string{}
	for _, st := range schema.Types {
		for _, v := range st.Values {
			enum[st.Name] = append(enum[st.Name], v.Value)
		}
	}
	attrs := map[string][]string{}
	for _, ct := range schema.Complex {
		for _, a := range ct.Attrs {
			attrs[ct.Name] = append(attrs[ct.Name], a.Name)
		}
	}
	var evTypes, evAttrs []string
	evAttrs = []string{"id", "type"}
	for _, d := range types.All() {
		if d.EEMOnly {
			continue
		}
		evTypes = append(evTypes, string(d.Type))
		for _, a := range d.Attrs {
			evAttrs = append(evAttrs, a.Name)
		}
	}
	var acTypes, acAttrs []string
	acAttrs = []string{"type"}
	for _, d := range actiontypes.All() {
		acTypes = append(acTypes, string(d.Type))
		for _, a := range d.Attrs {
			acAttrs = append(acAttrs, a.Name)
		}
	}
	same := func(what string, schema, table []string) {
		t.Helper()
		s, tb := slices.Clone(schema), slices.Clone(table)
		slices.Sort(s)
		slices.Sort(tb)
		if !slices.Equal(s, tb) {
			t.Errorf("%s: docs/ds.xsd has %q, the type tables %q; update the schema", what, s, tb)
		}
	}
	same("event types", enum["EventType"], evTypes)
	same("action types", enum["ActionType"], acTypes)
	// The schema may know an attribute before the table does (group-by
	// and max-keys on events land with the per-key state work); every
	// attribute of the table must be in the schema.
	covers := func(what string, schema, table []string) {
		t.Helper()
		for _, a := range table {
			if !slices.Contains(schema, a) {
				t.Errorf("%s: %q is in the type tables, not in docs/ds.xsd; add it to the schema", what, a)
			}
		}
	}
	covers("<Event> attributes", attrs["Event"], evAttrs)
	covers("<Action> attributes", attrs["Action"], acAttrs)
}
