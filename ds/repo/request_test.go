package repo_test

import (
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/repo"
)

func TestRequestRoundTrip(t *testing.T) {
	r := &repo.Request{Hostname: "edge-1", Serial: "FOC1234X0AB", Profile: `user "1" & co`, DS: []repo.RequestDS{
		{ID: "6030", Revision: "1.1", Status: "registered"},
		{ID: "6015", Status: "failed"},
	}}
	data, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := repo.ParseRequest(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if got.Hostname != r.Hostname || got.Serial != r.Serial || got.Profile != r.Profile || len(got.DS) != 2 || got.DS[0] != r.DS[0] || got.DS[1] != r.DS[1] {
		t.Fatalf("round trip: %+v", got)
	}
	spec := `<DSRequest hostname="edge-1" serial="..." profile="user1">
  <DS id="6030" revision="1.1" status="registered"/>
</DSRequest>`
	if _, err := repo.ParseRequest([]byte(spec)); err != nil {
		t.Fatalf("the SPEC example: %v", err)
	}
}

func TestParseRequestRefuses(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"empty", ``, "no <DSRequest>"},
		{"no hostname", `<DSRequest/>`, "hostname"},
		{"unknown attribute", `<DSRequest hostname="a" x="1"/>`, "unexpected attribute"},
		{"duplicate attribute", `<DSRequest hostname="a" hostname="b"/>`, "twice"},
		{"doctype", `<!DOCTYPE r [<!ENTITY x "y">]><DSRequest hostname="a"/>`, "DOCTYPE"},
		{"entity", `<DSRequest hostname="&x;"/>`, "entity"},
		{"text", `<DSRequest hostname="a">hi</DSRequest>`, "unexpected text"},
		{"nested", `<DSRequest hostname="a"><DS id="1" status="registered"><DS id="2" status="failed"/></DS></DSRequest>`, "unexpected element"},
		{"other element", `<DSRequest hostname="a"><Foo/></DSRequest>`, "unexpected element"},
		{"two roots", `<DSRequest hostname="a"/><DSRequest hostname="b"/>`, "unexpected element"},
		{"bad id", `<DSRequest hostname="a"><DS id="../x" status="registered"/></DSRequest>`, "not a number"},
		{"bad revision", `<DSRequest hostname="a"><DS id="1" revision="x" status="registered"/></DSRequest>`, "not a number"},
		{"bad status", `<DSRequest hostname="a"><DS id="1" status="hacked"/></DSRequest>`, "unknown status"},
		{"duplicate DS", `<DSRequest hostname="a"><DS id="1" status="failed"/><DS id="1" status="failed"/></DSRequest>`, "twice"},
		{"control character", `<DSRequest hostname="a&#9;b"/>`, "unprintable"},
		{"long profile", `<DSRequest hostname="a" profile="` + strings.Repeat("p", 40) + `"/>`, "longer"},
		{"oversize", `<DSRequest hostname="a">` + strings.Repeat(" ", repo.MaxRequestSize) + `</DSRequest>`, "larger"},
		{"unclosed", `<DSRequest hostname="a">`, "EOF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := repo.ParseRequest([]byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}
