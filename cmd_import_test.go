package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// catalogueWorkbook writes a workbook as a curriculum office keeps one:
// a sheet per kind under its own names and headers, completion dates as
// date cells (and one as text in the US form), and, unless fixed, four bad
// rows: a delivery mode no course has, a grade without its pay plan, a
// person in a billet that does not exist, a completion of a course that
// does not exist. A legend sheet holds no records.
func catalogueWorkbook(t *testing.T, path string, fixed bool) {
	t.Helper()
	f := excelize.NewFile()
	pick := func(bad, good any) any {
		if fixed {
			return good
		}
		return bad
	}
	sheets := []struct {
		name string
		rows [][]any
	}{
		{"Course Catalog", [][]any{
			{"Course Number", "Course Title", "Delivery", "Status", "Contact Hours", "Prereqs", "Objectives"},
			{"MGT 101", "Introduction to Security Cooperation", "Online", "Active", 8, "", "Explain security cooperation authorities.\nDescribe the partner nation's role."},
			{"MGT 201", "Case Development", pick("Carrier pigeon", "Resident"), "Active", 40, "MGT 101", "Prepare price and availability estimates in response to a Letter of Request."},
			{"T-100", "Trade Show Basics", "Blended", "Retired", 16, "", "Plan U.S. participation in international trade shows under DoD policy."},
		}},
		{"Billets", [][]any{
			{"Billet ID", "Title", "Organization", "Grade", "Category", "Key Billet", "Region"},
			{"B 1", "Security Cooperation Officer", "ODC Poland", "GS-13", "SCO", "Y", "EUCOM"},
			{"B 2", "Case Manager", "USASAC", pick("13", "GS-12"), "IA", "N", "CONUS"},
		}},
		{"Staff", [][]any{
			{"Employee ID", "Full Name", "Billet"},
			{"E100", "Ann Lee", "B 1"},
			{"E101", "Bo Chen", pick("B 9", "B 2")},
		}},
		{"Training", [][]any{
			{"Employee ID", "Course", "Completed"},
			{"E100", "MGT 101", time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)},
			{"E100", "MGT 201", time.Date(2024, 9, 12, 0, 0, 0, 0, time.UTC)},
			{"E101", pick("MGT 999", "T-100"), "4/17/2023"},
		}},
		{"Legend", [][]any{{"Exported from the training office's tracker."}}},
	}
	dates, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(s.name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SetCellStyle("Training", "C2", "C3", dates); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// TestImportWorkbook is the import as a new user makes it: a workbook
// with odd headers mapped with --map and a few bad rows; the dry run
// locates each bad row's cell and writes nothing; once fixed, the dry run
// plans the import, the import makes it, and importing again changes
// nothing.
func TestImportWorkbook(t *testing.T) {
	dir := t.TempDir()
	book := filepath.Join(dir, "catalogue.xlsx")
	data := filepath.Join(dir, "data")
	args := func(extra ...string) []string {
		return append([]string{"import", book, "--data", data, "--rules", "rules", "--seeds", "seeds",
			"--map", "Course Number=code", "--map", "Course Title=title", "--map", "Delivery=deliveryMode",
			"--map", "Contact Hours=hours", "--map", "Prereqs=prerequisites", "--map", "Billet ID=id",
			"--map", "Employee ID=id", "--map", "Employee ID=person_id", "--map", "Full Name=name",
			"--map", "Billet=position_id", "--map", "Course=course_code"}, extra...)
	}
	importing := func(extra ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args(extra...), &stdout, &stderr)
		if stderr.Len() > 0 {
			t.Logf("stderr: %s", stderr.String())
		}
		return code, stdout.String()
	}

	catalogueWorkbook(t, book, false)
	code, out := importing("--dry-run")
	book = filepath.ToSlash(book)
	for _, want := range []string{
		book + `:Course Catalog!C3: deliveryMode: delivery mode "carrier pigeon" is not one of resident, online, blended`,
		book + `:Billets!D3: grade: "13" is not a grade (a pay plan (GS, O, E, W, SES, GG or NH), a dash and a 1- or 2-digit number: GS-13, O-5); a bare number needs its pay plan: GS-13`,
		book + `:Staff!C3: position_id: position B 9 does not exist (it is neither stored nor in the import)`,
		book + `:Training!B4: course_code: course MGT 999 does not exist (it is neither stored nor in the import)`,
		"4 errors\nnothing imported: fix the rejected rows and run the import again",
		// The good rows, counted as the import would have made them.
		"courses             2        0          0        0         1",
		"people              1        0          0        0         1",
		"completions         2        0          0        0         1",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("the dry run of the bad workbook lacks\n%s\nin\n%s", want, out)
		}
	}
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	// Nothing written, even without --dry-run.
	if code, out := importing(); code != exitFail || !strings.Contains(out, "nothing imported") {
		t.Errorf("importing the bad workbook: exit %d\n%s", code, out)
	}

	catalogueWorkbook(t, filepath.FromSlash(book), true)
	code, out = importing("--dry-run", "--format", "json")
	var plan importReport
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != exitChanges || plan.Applied || len(plan.Rejections) != 0 || plan.Courses.Created != 3 || plan.Positions.Created != 2 ||
		plan.People.Created != 2 || plan.Completions.Created != 3 || plan.Impact == nil || plan.Impact.People.After != 2 {
		t.Errorf("the dry run of the fixed workbook: exit %d\n%s", code, out)
	}
	if len(plan.Ignored) != 1 || !strings.Contains(plan.Ignored[0], ":Legend: ") {
		t.Errorf("ignored: %q", plan.Ignored)
	}

	code, out = importing()
	if code != exitOK || !strings.Contains(out, "imported: 7 records written") {
		t.Errorf("the import: exit %d\n%s", code, out)
	}
	code, out = importing()
	if code != exitOK || !strings.Contains(out, "nothing to import") {
		t.Errorf("the import again: exit %d\n%s", code, out)
	}
}

// TestProgressDrawsOnlyOnATerminal checks that the progress bar draws
// nothing when the output is not a terminal, however long the import.
func TestProgressDrawsOnlyOnATerminal(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out)
	p.start = time.Now().Add(-time.Minute)
	for done := range 100 {
		p.update(done, 100)
	}
	p.finish()
	if out.Len() > 0 || p.bar != nil {
		t.Errorf("drew %q on a buffer", out.String())
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p = newProgress(f)
	p.start = time.Now().Add(-time.Minute)
	p.update(1, 2)
	if p.bar != nil {
		t.Error("drew on a regular file")
	}
}
