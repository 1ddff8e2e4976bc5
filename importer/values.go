package importer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// dateForms are the written forms of a day ParseDate reads, besides
// spreadsheet serial numbers: ISO 8601 (with a time of day too), the
// forms spreadsheets write in the United States (M/D/YYYY) and in Europe
// (D.M.YYYY), and with month names.
var dateForms = []string{
	"2006-01-02", "2006-1-2", "2006/1/2", time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"1/2/2006", "1/2/2006 15:04", "1/2/2006 15:04:05", "2.1.2006",
	"2-Jan-2006", "2 Jan 2006", "Jan 2, 2006", "January 2, 2006", "2 January 2006", "2-Jan-06",
}

// dateRule says in words what ParseDate reads, for messages.
const dateRule = "write YYYY-MM-DD (2023-04-17); M/D/YYYY, D.M.YYYY, D-Mon-YYYY, " +
	"Mon D, YYYY and spreadsheet dates are read too"

// Spreadsheet serial days that ParseDate reads as dates: 1 (1900-01-01)
// to 2958465 (9999-12-31).
const (
	minSerial = 1
	maxSerial = 2958465
)

// ParseDate reads a day written in one of the forms imports accept, or a
// spreadsheet's serial day number (a date cell's value; date1904 for
// workbooks that count from 1904). The time of day, if any, is dropped:
// the result is midnight UTC.
func ParseDate(s string, date1904 bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, form := range dateForms {
		if t, err := time.Parse(form, s); err == nil {
			return day(t), nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= minSerial && f <= maxSerial {
		if t, err := excelize.ExcelDateToTime(f, date1904); err == nil {
			return day(t), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date: %s", s, dateRule)
}

// day returns the day of t as midnight UTC.
func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// parseBool reads a Bool cell; an empty one is false.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "1", "x":
		return true, nil
	case "false", "no", "n", "0", "":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false (yes/no, y/n, 1/0 and x or empty are read too)", s)
}

// parseNumber reads a Number cell; an empty one is 0.
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return f, nil
}

// splitList splits a List cell into its items, trimmed, leaving out empty
// ones: on line breaks, and on the separators given too.
func splitList(s string, seps string) []string {
	items := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || strings.ContainsRune(seps, r) })
	out := make([]string, 0, len(items))
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}
