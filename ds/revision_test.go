package ds

import "testing"

func TestRevisionCompare(t *testing.T) {
	cases := []struct {
		a, b Revision
		want int
	}{
		{"1.10", "1.9", 1},
		{"1.9", "1.10", -1},
		{"1.0", "1", 0},
		{"2", "1.99", 1},
		{"1.0.1", "1.0", 1},
		{"0.9", "0.9.0", 0},
	}
	for _, c := range cases {
		if got := c.a.Compare(c.b); got != c.want {
			t.Errorf("%s.Compare(%s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestParseRevision(t *testing.T) {
	for _, ok := range []string{"1", "1.0", "1.10.3"} {
		if _, err := ParseRevision(ok); err != nil {
			t.Errorf("ParseRevision(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "1.", ".1", "1.a", "v1", "1..2", "-1"} {
		if _, err := ParseRevision(bad); err == nil {
			t.Errorf("ParseRevision(%q) accepted a bad revision", bad)
		}
	}
}

func TestSeverityAdmits(t *testing.T) {
	errSev, _ := ParseSeverity("error")
	if !errSev.Admits(2) || !errSev.Admits(3) || errSev.Admits(4) {
		t.Errorf("error threshold admits wrong severities")
	}
	if !SeverityAny.Admits(7) {
		t.Errorf("SeverityAny must admit debugging")
	}
}
