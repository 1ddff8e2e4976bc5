package diag

import (
	"errors"
	"fmt"
	"testing"
)

func TestPosString(t *testing.T) {
	for _, tc := range []struct {
		pos  Pos
		want string
	}{
		{Pos{File: "a.yaml", Line: 3, Col: 7}, "a.yaml:3:7"},
		{Pos{File: "a.yaml", Line: 3}, "a.yaml:3"},
		{Pos{File: "a.yaml"}, "a.yaml"},
		{Pos{File: "a.yaml", Col: 4}, "a.yaml"},
	} {
		if got := tc.pos.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.pos, got, tc.want)
		}
	}
}

func TestWithSnippet(t *testing.T) {
	src := []byte("rules:\n\t- when: course.hourz > 4\r\n")
	d := Errorf(Pos{File: "r.yaml", Line: 2, Col: 17}, "unknown field hourz").WithSnippet(src)
	want := " | \t- when: course.hourz > 4\n | \t               ^"
	if d.Snippet != want {
		t.Errorf("snippet:\n%s\nwant:\n%s", d.Snippet, want)
	}
	if got := Errorf(Pos{File: "r.yaml", Line: 9}, "x").WithSnippet(src).Snippet; got != "" {
		t.Errorf("a line past the end gave snippet %q", got)
	}
}

func TestListSortsAndDeduplicates(t *testing.T) {
	var l List
	l.Add(Pos{File: "b.yaml", Line: 1, Col: 1}, "late file")
	l.Add(Pos{File: "a.yaml", Line: 9, Col: 2}, "second")
	l.Add(Pos{File: "a.yaml", Line: 2, Col: 5}, "first")
	l.Add(Pos{File: "a.yaml", Line: 9, Col: 2}, "second")
	err := l.Err()
	want := "a.yaml:2:5: first\na.yaml:9:2: second\nb.yaml:1:1: late file"
	if err == nil || err.Error() != want {
		t.Fatalf("Err() = %v, want:\n%s", err, want)
	}
	if (List{}).Err() != nil {
		t.Error("an empty list is an error")
	}
}

func TestAsList(t *testing.T) {
	d := Errorf(Pos{File: "m.txt", Line: 4}, "missing 1.B")
	if got := AsList(fmt.Errorf("loading: %w", d)); len(got) != 1 || got[0] != d {
		t.Errorf("AsList(wrapped diagnostic) = %v", got)
	}
	l := List{d, d}
	if got := AsList(fmt.Errorf("loading: %w", l)); len(got) != 2 {
		t.Errorf("AsList(wrapped list) = %v", got)
	}
	if got := AsList(errors.New("plain")); got != nil {
		t.Errorf("AsList(plain error) = %v, want nil", got)
	}
}

func TestParentField(t *testing.T) {
	for in, want := range map[string]string{
		"competencies[2].subCompetencies[0].statement": "competencies[2].subCompetencies[0]",
		"a[2]": "a",
		"a.b":  "a",
		"a":    "",
	} {
		if got := ParentField(in); got != want {
			t.Errorf("ParentField(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPosWithin(t *testing.T) {
	src := []byte("rules:\n  -\n«é»")
	tests := []struct {
		in, want Pos
	}{
		{Pos{File: "f", Line: 2, Col: 3}, Pos{File: "f", Line: 2, Col: 3}}, // on the line
		{Pos{File: "f", Line: 2, Col: 4}, Pos{File: "f", Line: 2, Col: 4}}, // just past its end
		{Pos{File: "f", Line: 2, Col: 5}, Pos{File: "f", Line: 2, Col: 4}}, // beyond: just past the end
		{Pos{File: "f", Line: 3, Col: 9}, Pos{File: "f", Line: 3, Col: 4}}, // characters, not bytes
		{Pos{File: "f", Line: 7, Col: 1}, Pos{File: "f", Line: 3, Col: 4}}, // past the last line
		{Pos{File: "f", Line: 1}, Pos{File: "f", Line: 1}},                 // the whole line
		{Pos{File: "f"}, Pos{File: "f"}},                                   // the whole file
	}
	for _, tt := range tests {
		if got := tt.in.Within(src); got != tt.want {
			t.Errorf("%v.Within = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestSheetPositions checks that a position in a workbook's sheet prints
// as spreadsheets name cells, columns past Z included.
func TestSheetPositions(t *testing.T) {
	for _, tc := range []struct {
		pos  Pos
		want string
	}{
		{Pos{File: "book.xlsx", Sheet: "People", Line: 7, Col: 2}, "book.xlsx:People!B7"},
		{Pos{File: "book.xlsx", Sheet: "People", Line: 7, Col: 26}, "book.xlsx:People!Z7"},
		{Pos{File: "book.xlsx", Sheet: "People", Line: 7, Col: 27}, "book.xlsx:People!AA7"},
		{Pos{File: "book.xlsx", Sheet: "People", Line: 12, Col: 703}, "book.xlsx:People!AAA12"},
		{Pos{File: "book.xlsx", Sheet: "People", Line: 7}, "book.xlsx:People!7"},
		{Pos{File: "book.xlsx", Sheet: "People"}, "book.xlsx:People"},
	} {
		if got := tc.pos.String(); got != tc.want {
			t.Errorf("%#v: got %s, want %s", tc.pos, got, tc.want)
		}
	}
}
