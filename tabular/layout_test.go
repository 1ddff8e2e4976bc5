package tabular

import (
	"cmap/domain"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The course columns are the course's YAML fields, in the order of the
// Course type, so that courses.yaml and a table of courses name the same
// fields.
func TestCourseColumnsAreTheYAMLFields(t *testing.T) {
	var fields []string
	typ := reflect.TypeFor[domain.Course]()
	for i := range typ.NumField() {
		if tag := typ.Field(i).Tag.Get("yaml"); tag != "-" {
			fields = append(fields, strings.Split(tag, ",")[0])
		}
	}
	if !slices.Equal(CourseColumns, fields) {
		t.Errorf("CourseColumns = %q, the YAML fields of Course are %q", CourseColumns, fields)
	}
}

// NeutralizeCell never leaves a cell a spreadsheet takes for a formula,
// and RestoreCell undoes it exactly, on texts made of the characters that
// matter (quotes, formula starts, ordinary letters and spaces).
func TestNeutralizeCellIsUndoneExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"'", "=", "+", "-", "@", "\t", "\r", "a", " ", "1"}
	texts := []string{"", "'", "''", "=1+2", "'=1", "''=1", "-1", "O'Brien", "'Tis", "@x", "\tx", "\rx", "plain"}
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(5) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		texts = append(texts, b.String())
	}
	for _, s := range texts {
		cell := NeutralizeCell(s)
		if formulaLike(cell) {
			t.Errorf("NeutralizeCell(%q) = %q, which a spreadsheet takes for a formula", s, cell)
		}
		if got := RestoreCell(cell); got != s {
			t.Errorf("RestoreCell(NeutralizeCell(%q)) = %q", s, got)
		}
		if !formulaLike(strings.TrimLeft(s, "'")) && cell != s {
			t.Errorf("NeutralizeCell(%q) = %q: a harmless text must stay as it is", s, cell)
		}
	}
}

func TestJoinListSplitList(t *testing.T) {
	for _, items := range [][]string{{}, {"one"}, {"one", "two, with a comma", "three; with a semicolon"}} {
		cell, err := JoinList("objectives", items)
		if err != nil {
			t.Fatalf("JoinList(%q): %v", items, err)
		}
		if got := SplitList(cell); !slices.Equal(got, items) {
			t.Errorf("SplitList(JoinList(%q)) = %q", items, got)
		}
	}
	// A spreadsheet on Windows may save the lines of a cell with CR LF.
	if got := SplitList("a\r\nb\n\n"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("SplitList(CR LF lines) = %q", got)
	}
	for _, items := range [][]string{{"a", ""}, {"two\nlines"}, {"x\ry"}} {
		_, err := JoinList("objectives", items)
		if err == nil || !strings.HasPrefix(err.Error(), "objectives[") {
			t.Errorf("JoinList(%q) = %v, want an error naming the item", items, err)
		}
	}
}
