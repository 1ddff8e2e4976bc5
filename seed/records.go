package seed

import (
	"cmap/domain"
	"cmap/tabular"
	"cmp"
	"errors"
	"slices"
	"strconv"
	"time"

	"cmap/diag"
)

// columnOf maps the field paths of Validate errors to CSV column names.
var columnOf = map[string]string{
	"keyBillet":  "key_billet",
	"positionId": "position_id",
	"courseCode": "course_code",
}

// invalid reports a Validate error of a record read from rw, at the
// column the error's field comes from and naming that column.
func (c *checker) invalid(rw row, err error) {
	field := domain.ErrorField(err)
	col := field
	if name, ok := columnOf[field]; ok {
		col = name
	}
	msg := err.Error()
	var e *domain.Error
	if errors.As(err, &e) {
		msg = e.Message
	}
	pos, ok := rw.pos[col]
	if !ok {
		pos = diag.Pos{File: rw.file, Line: rw.line}
	}
	c.diags.Add(pos, "%s: %s", col, msg)
}

// positions reads positions.csv.
func (c *checker) positions(path string, data []byte) []domain.Position {
	c.positionLines = map[string]diag.Pos{}
	var out []domain.Position
	complete := readTable(path, data, tabular.PositionColumns, c.diags, func(rw row) {
		key, err := strconv.ParseBool(rw.get("key_billet"))
		if err != nil {
			c.diags.Add(rw.at("key_billet"), "key_billet: %q is not true or false", rw.get("key_billet"))
			return
		}
		p := domain.Position{
			ID:           rw.get("id"),
			Title:        rw.get("title"),
			Organization: rw.get("organization"),
			Grade:        rw.get("grade"),
			Category:     rw.get("category"),
			KeyBillet:    key,
			Region:       rw.get("region"),
		}
		if err := p.Validate(); err != nil {
			c.invalid(rw, err)
			c.reject("position", p.ID)
			return
		}
		if c.duplicate(c.positionLines, rw.at("id"), "position", p.ID) {
			return
		}
		out = append(out, p)
	})
	if !complete {
		c.positionLines = nil // the positions after the error are unknown
	}
	return out
}

// people reads people.csv. Every position_id must name a position of
// positions.csv.
func (c *checker) people(path string, data []byte) []domain.Person {
	c.personLines = map[string]diag.Pos{}
	var out []domain.Person
	complete := readTable(path, data, tabular.PersonColumns, c.diags, func(rw row) {
		p := domain.Person{ID: rw.get("id"), Name: rw.get("name"), PositionID: rw.get("position_id")}
		if err := p.Validate(); err != nil {
			c.invalid(rw, err)
			c.reject("person", p.ID)
			return
		}
		if c.duplicate(c.personLines, rw.at("id"), "person", p.ID) {
			return
		}
		if p.PositionID != "" && c.unknown(c.positionLines, "position", p.PositionID) {
			c.diags.Add(rw.at("position_id"), "position_id: position %s is not in %s", p.PositionID, PositionsFile)
			return
		}
		out = append(out, p)
	})
	if !complete {
		c.personLines = nil // the people after the error are unknown
	}
	return out
}

// completions reads completions.csv and appends each completion to its
// person in people, then orders every person's completions by date. Every
// completion must name a person of people.csv and a course of
// courses.yaml; the same completion twice is a duplicate.
func (c *checker) completions(path string, data []byte, people []domain.Person) {
	index := make(map[string]int, len(people))
	for i, p := range people {
		index[p.ID] = i
	}
	seen := map[string]diag.Pos{}
	readTable(path, data, tabular.CompletionColumns, c.diags, func(rw row) {
		personID, code, date := rw.get("person_id"), rw.get("course_code"), rw.get("completed")
		day, err := time.Parse(tabular.DateLayout, date)
		if err != nil {
			c.diags.Add(rw.at("completed"), "completed: %q is not a date (YYYY-MM-DD)", date)
			return
		}
		comp := domain.Completion{CourseCode: code, Completed: day}
		if err := comp.Validate(); err != nil {
			c.invalid(rw, err)
			return
		}
		ok := true
		if c.unknown(c.personLines, "person", personID) {
			c.diags.Add(rw.at("person_id"), "person_id: person %s is not in %s", personID, PeopleFile)
			ok = false
		}
		if c.unknown(c.courseLines, "course", code) {
			c.diags.Add(rw.at("course_code"), "course_code: course %s is not in %s", code, CoursesFile)
			ok = false
		}
		if !ok || c.duplicate(seen, rw.at("person_id"), "completion", personID+" "+code+" "+date) {
			return
		}
		if i, known := index[personID]; known {
			people[i].Completions = append(people[i].Completions, comp)
		}
	})
	for i := range people {
		slices.SortStableFunc(people[i].Completions, func(a, b domain.Completion) int {
			return cmp.Or(a.Completed.Compare(b.Completed), cmp.Compare(a.CourseCode, b.CourseCode))
		})
	}
}
