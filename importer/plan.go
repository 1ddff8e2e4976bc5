package importer

import (
	"cmap/domain"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"cmap/diag"
)

// Stored is what an import is planned against: every stored record of
// each kind, as one generation of the read model holds them. The records
// are not modified.
type Stored struct {
	Courses   []*domain.Course
	Positions []*domain.Position
	People    []*domain.Person
}

// PlanOptions tune a plan.
type PlanOptions struct {
	// Prune deletes the stored records of each kind the batch holds that
	// the batch does not list (and, with completions, the completions it
	// does not list). Without it an import never deletes.
	Prune bool
}

// Counts counts what an import does to the records of one kind.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Deleted   int `json:"deleted"`
	// Rejected counts the rows with a problem (each problem is one of
	// Plan.Rejections).
	Rejected int `json:"rejected"`
}

// Plan is what an import would do: counts by kind, every problem found,
// and, when there is none, the writes (Ops) that make it.
type Plan struct {
	Files []string
	// Courses, Positions, People and Completions count by kind. A
	// completion is created or left alone (or deleted by Prune); a change
	// of its date is another completion.
	Courses, Positions, People, Completions Counts
	// Rejections are every problem of every row, sorted by position:
	// file:line:col (file:Sheet!B7 in a workbook): message.
	Rejections diag.List
	// Ignored lists the sheets and columns left out.
	Ignored []string
	// Ops are the writes, in apply order: creations and updates of
	// courses, positions and people (a person's new completions are an
	// update of the person), then deletions of people, positions and
	// courses. Nil when there are rejections: an import with any
	// rejection writes nothing.
	Ops []domain.ImportOp
}

// Changed reports whether the plan writes anything.
func (p *Plan) Changed() bool { return len(p.Ops) > 0 }

// MakePlan checks the batch's rows against the layouts' types, the
// records' rules (Validate, as every write), references between records
// (a course's prerequisites, a person's position, a completion's person
// and course, each among the stored records or the batch) and duplicates,
// and compares each record with the stored one of the same natural key:
// new ones are created, changed ones updated (a column the file lacks
// keeps its stored value), identical ones left alone. A new course whose
// file has no status column is active. Every problem is reported, in one
// pass.
func MakePlan(b *Batch, stored Stored, opts PlanOptions) *Plan {
	pl := &planner{
		plan:      &Plan{Files: b.Files, Ignored: b.Ignored},
		prune:     opts.Prune,
		courses:   keyed(stored.Courses, func(c *domain.Course) string { return c.Code }),
		positions: keyed(stored.Positions, func(p *domain.Position) string { return p.ID }),
		people:    keyed(stored.People, func(p *domain.Person) string { return p.ID }),
		bad:       map[diag.Pos]bool{},
		rejected:  map[string]bool{},
	}
	for _, t := range slices.Backward(b.tables) {
		pl.has[kindIndex(t.kind)] = true
		pl.tableAt[kindIndex(t.kind)] = t.at
	}
	pl.readCourses(tablesOf(b, Courses))
	pl.readPositions(tablesOf(b, Positions))
	pl.readPeople(tablesOf(b, People))
	pl.readCompletions(tablesOf(b, Completions))
	pl.checkCourses()
	pl.checkPositions()
	pl.checkPeople()
	pl.finish()
	return pl.plan
}

// tablesOf returns the batch's tables of kind k.
func tablesOf(b *Batch, k Kind) []*table {
	var out []*table
	for _, t := range b.tables {
		if t.kind == k {
			out = append(out, t)
		}
	}
	return out
}

func keyed[T any](records []*T, key func(*T) string) map[string]*T {
	m := make(map[string]*T, len(records))
	for _, r := range records {
		m[key(r)] = r
	}
	return m
}

// imported is one record read from a row.
type imported[T any] struct {
	rec *T
	row row
	// stored is the stored record with the same key, nil if none.
	stored *T
}

// planner holds one plan's work.
type planner struct {
	plan  *Plan
	prune bool
	has   [4]bool
	// tableAt is the place of the first table of each kind.
	tableAt [4]diag.Pos
	// The stored records, by key.
	courses   map[string]*domain.Course
	positions map[string]*domain.Position
	people    map[string]*domain.Person
	// The records of the batch, by key, in row order (keys).
	inCourses    map[string]*imported[domain.Course]
	courseKeys   []string
	inPositions  map[string]*imported[domain.Position]
	positionKeys []string
	inPeople     map[string]*imported[domain.Person]
	personKeys   []string
	completions  map[string][]completionRow // by person id
	// bad holds the rows with a problem (by the row's position), to count
	// them; rejected holds "kind key" of records with a problem, so that
	// references to them are not reported again.
	bad      map[diag.Pos]bool
	rejected map[string]bool
}

// completionRow is one completion read from a row.
type completionRow struct {
	c   domain.Completion
	row row
	// bad marks a row with a problem of its own, kept to check its
	// references.
	bad bool
}

// kindIndex returns the index of k in Kinds.
func kindIndex(k Kind) int { return slices.Index(Kinds, k) }

// reject reports a problem of the row of kind k at pos.
func (pl *planner) reject(k Kind, rw row, pos diag.Pos, format string, args ...any) {
	pl.plan.Rejections.Add(pos, format, args...)
	if !pl.bad[rw.pos] {
		pl.bad[rw.pos] = true
		pl.counts(k).Rejected++
	}
}

// counts returns the counts of kind k.
func (pl *planner) counts(k Kind) *Counts {
	switch k {
	case Courses:
		return &pl.plan.Courses
	case Positions:
		return &pl.plan.Positions
	case People:
		return &pl.plan.People
	}
	return &pl.plan.Completions
}

// invalid reports a Validate error of a record read from rw, at the cell
// of the field it names.
func (pl *planner) invalid(k Kind, rw row, err error) {
	field := domain.ErrorField(err)
	if i := strings.IndexAny(field, "[."); i >= 0 {
		field = field[:i]
	}
	col := field
	if c := columnOf(k, Normalize(field)); c != nil {
		col = c.Name
	}
	msg := err.Error()
	if e, ok := errors.AsType[*domain.Error](err); ok {
		msg = e.Message
	}
	pl.reject(k, rw, rw.at(Normalize(field)), "%s: %s", col, msg)
}

// text returns the text of a cell, and whether the row has the column.
func text(rw row, col string) (string, bool) {
	c, ok := rw.get(col)
	if !ok {
		return "", false
	}
	if c.isList {
		return strings.Join(c.list, ListSeparator), true
	}
	return c.text, true
}

// list returns the items of a List cell, splitting a text cell on line
// breaks and on seps.
func list(rw row, col, seps string) ([]string, bool) {
	c, ok := rw.get(col)
	if !ok {
		return nil, false
	}
	if c.isList {
		return slices.DeleteFunc(slices.Clone(c.list), func(s string) bool { return s == "" }), true
	}
	return splitList(c.text, seps), true
}

// duplicate reports a key given twice in the batch.
func (pl *planner) duplicate(k Kind, what, key string, rw row, first row) {
	pl.reject(k, rw, rw.pos, "duplicate %s %s (first at %s)", what, key, first.pos)
}

func (pl *planner) readCourses(tables []*table) {
	pl.inCourses = map[string]*imported[domain.Course]{}
	for _, t := range tables {
		for _, rw := range t.rows {
			code, _ := text(rw, "code")
			if first, ok := pl.inCourses[code]; ok && code != "" {
				pl.duplicate(Courses, "course", code, rw, first.row)
				continue
			}
			in := &imported[domain.Course]{row: rw, stored: pl.courses[code]}
			c := &domain.Course{Code: code, Status: domain.CourseActive}
			if in.stored != nil {
				c = cloneCourse(in.stored)
			}
			if v, ok := text(rw, "title"); ok {
				c.Title = v
			}
			if v, ok := text(rw, "description"); ok {
				c.Description = v
			}
			if v, ok := list(rw, "objectives", ""); ok {
				c.Objectives = v
			}
			if v, ok := list(rw, "topics", ";"); ok {
				c.Topics = v
			}
			if v, ok := list(rw, "prerequisites", ";,"); ok {
				c.Prerequisites = v
			}
			if v, ok := text(rw, "provider"); ok {
				c.Provider = v
			}
			if v, ok := text(rw, "deliverymode"); ok {
				c.DeliveryMode = strings.ToLower(v)
			}
			if v, ok := text(rw, "status"); ok {
				c.Status = strings.ToLower(v)
			}
			bad := false
			if v, ok := text(rw, "hours"); ok {
				h, err := parseNumber(v)
				if err != nil {
					// Reported, and the rest of the row checked too.
					pl.reject(Courses, rw, rw.at("hours"), "hours: %v", err)
					bad = true
				}
				c.Hours = h
			}
			in.rec = c
			if err := c.Validate(); err != nil {
				pl.invalid(Courses, rw, err)
				bad = true
			}
			if bad {
				pl.rejected["course "+code] = true
				continue
			}
			pl.inCourses[code] = in
			pl.courseKeys = append(pl.courseKeys, code)
		}
	}
}

func (pl *planner) readPositions(tables []*table) {
	pl.inPositions = map[string]*imported[domain.Position]{}
	for _, t := range tables {
		for _, rw := range t.rows {
			id, _ := text(rw, "id")
			if first, ok := pl.inPositions[id]; ok && id != "" {
				pl.duplicate(Positions, "position", id, rw, first.row)
				continue
			}
			in := &imported[domain.Position]{row: rw, stored: pl.positions[id]}
			p := &domain.Position{ID: id}
			if in.stored != nil {
				cp := *in.stored
				p = &cp
			}
			for col, field := range map[string]*string{"title": &p.Title, "organization": &p.Organization,
				"category": &p.Category, "region": &p.Region} {
				if v, ok := text(rw, col); ok {
					*field = v
				}
			}
			if v, ok := text(rw, "grade"); ok {
				p.Grade = strings.ToUpper(v)
			}
			bad := false
			if v, ok := text(rw, "keybillet"); ok {
				kb, err := parseBool(v)
				if err != nil {
					pl.reject(Positions, rw, rw.at("keybillet"), "key_billet: %v", err)
					bad = true
				}
				p.KeyBillet = kb
			}
			in.rec = p
			if err := p.Validate(); err != nil {
				pl.invalid(Positions, rw, err)
				bad = true
			}
			if bad {
				pl.rejected["position "+id] = true
				continue
			}
			pl.inPositions[id] = in
			pl.positionKeys = append(pl.positionKeys, id)
		}
	}
}

func (pl *planner) readPeople(tables []*table) {
	pl.inPeople = map[string]*imported[domain.Person]{}
	for _, t := range tables {
		for _, rw := range t.rows {
			id, _ := text(rw, "id")
			if first, ok := pl.inPeople[id]; ok && id != "" {
				pl.duplicate(People, "person", id, rw, first.row)
				continue
			}
			in := &imported[domain.Person]{row: rw, stored: pl.people[id]}
			p := &domain.Person{ID: id}
			if in.stored != nil {
				p = clonePerson(in.stored)
			}
			if v, ok := text(rw, "name"); ok {
				p.Name = v
			}
			if v, ok := text(rw, "positionid"); ok {
				p.PositionID = v
			}
			in.rec = p
			if err := p.Validate(); err != nil {
				pl.invalid(People, rw, err)
				pl.rejected["person "+id] = true
				continue
			}
			pl.inPeople[id] = in
			pl.personKeys = append(pl.personKeys, id)
		}
	}
}

func (pl *planner) readCompletions(tables []*table) {
	pl.completions = map[string][]completionRow{}
	seen := map[string]row{}
	for _, t := range tables {
		for _, rw := range t.rows {
			personID, _ := text(rw, "personid")
			code, _ := text(rw, "coursecode")
			date, _ := text(rw, "completed")
			ok := true
			if personID == "" {
				pl.reject(Completions, rw, rw.at("personid"), "person_id is empty")
				ok = false
			}
			day, err := ParseDate(date, t.date1904)
			if err != nil {
				pl.reject(Completions, rw, rw.at("completed"), "completed: %v", err)
				ok = false
			}
			c := domain.Completion{CourseCode: code, Completed: day}
			if err := c.Validate(); err != nil && ok {
				pl.invalid(Completions, rw, err)
				ok = false
			}
			if !ok {
				// Its person and course are still checked: every problem
				// of the row at once.
				pl.completions[personID] = append(pl.completions[personID], completionRow{c: c, row: rw, bad: true})
				continue
			}
			key := personID + "\x00" + code + "\x00" + formatDay(day)
			if first, dup := seen[key]; dup {
				pl.duplicate(Completions, "completion", fmt.Sprintf("of %s by %s on %s", code, personID, formatDay(day)), rw, first)
				continue
			}
			seen[key] = rw
			pl.completions[personID] = append(pl.completions[personID], completionRow{c: c, row: rw})
		}
	}
}

// courseExists reports whether a course with code is stored or imported,
// and stays (is not pruned).
func (pl *planner) courseExists(code string) bool {
	if _, ok := pl.inCourses[code]; ok {
		return true
	}
	_, ok := pl.courses[code]
	return ok && !pl.pruning(Courses)
}

// pruning reports whether stored records of kind k that the batch does
// not list are deleted.
func (pl *planner) pruning(k Kind) bool { return pl.prune && pl.has[kindIndex(k)] }

// missing says why a referenced record does not exist: it is not stored
// and not imported, or --prune deletes it.
func (pl *planner) missing(kind, key string, stored bool) string {
	if stored {
		return fmt.Sprintf("%s %s is not in the import, and --prune deletes it", kind, key)
	}
	return fmt.Sprintf("%s %s does not exist (it is neither stored nor in the import)", kind, key)
}

// checkCourses checks the prerequisites of the imported courses against
// the catalogue the import leaves, prerequisite cycles in it, and the
// courses --prune would delete.
func (pl *planner) checkCourses() {
	final := map[string][]string{}
	for code, c := range pl.courses {
		if !pl.pruning(Courses) {
			final[code] = c.Prerequisites
		}
	}
	for code, in := range pl.inCourses {
		final[code] = in.rec.Prerequisites
	}
	for _, code := range pl.courseKeys {
		in := pl.inCourses[code]
		for _, p := range in.rec.Prerequisites {
			if _, ok := final[p]; !ok && !pl.rejected["course "+p] {
				_, stored := pl.courses[p]
				pl.reject(Courses, in.row, in.row.at("prerequisites"), "prerequisites: %s", pl.missing("course", p, stored))
			}
		}
	}
	if cycle := domain.PrerequisiteCycle(final); cycle != nil {
		// A cycle the stored catalogue did not have runs through an
		// imported course: report it there.
		for _, code := range cycle {
			if in, ok := pl.inCourses[code]; ok {
				pl.reject(Courses, in.row, in.row.at("prerequisites"), "prerequisites form a cycle: %s", strings.Join(cycle, " -> "))
				break
			}
		}
	}
	if !pl.pruning(Courses) {
		return
	}
	for _, code := range slices.Sorted(maps.Keys(pl.courses)) {
		if _, ok := pl.inCourses[code]; ok || pl.rejected["course "+code] {
			continue
		}
		pl.counts(Courses).Deleted++
		// A course the import keeps that lists it blocks the deletion;
		// it is an imported one, since stored ones not imported go too.
		for _, other := range pl.courseKeys {
			if in := pl.inCourses[other]; slices.Contains(in.rec.Prerequisites, code) {
				pl.reject(Courses, in.row, in.row.at("prerequisites"), "prerequisites: %s", pl.missing("course", code, true))
			}
		}
	}
}

// checkPositions counts the positions --prune would delete; people who
// hold one are reported by checkPeople.
func (pl *planner) checkPositions() {
	if !pl.pruning(Positions) {
		return
	}
	for id := range pl.positions {
		if _, ok := pl.inPositions[id]; !ok && !pl.rejected["position "+id] {
			pl.counts(Positions).Deleted++
		}
	}
}

// positionExists reports whether a position with id is stored or
// imported, and stays.
func (pl *planner) positionExists(id string) bool {
	if _, ok := pl.inPositions[id]; ok {
		return true
	}
	_, ok := pl.positions[id]
	return ok && !pl.pruning(Positions)
}

// checkPeople checks the people the import leaves: their positions, then
// folds the imported completions into them.
func (pl *planner) checkPeople() {
	for _, id := range pl.personKeys {
		in := pl.inPeople[id]
		if pos := in.rec.PositionID; pos != "" && !pl.positionExists(pos) && !pl.rejected["position "+pos] {
			_, stored := pl.positions[pos]
			pl.reject(People, in.row, in.row.at("positionid"), "position_id: %s", pl.missing("position", pos, stored))
		}
	}
	if pl.pruning(Positions) && !pl.pruning(People) {
		// Stored people the import does not list keep their positions.
		for _, id := range slices.Sorted(maps.Keys(pl.people)) {
			p := pl.people[id]
			if _, ok := pl.inPeople[id]; ok || p.PositionID == "" || pl.positionExists(p.PositionID) {
				continue
			}
			pl.plan.Rejections.Add(pl.tableAt[kindIndex(Positions)], "--prune deletes position %s, which person %s (not in the import) holds", p.PositionID, id)
		}
	}
	if pl.pruning(People) {
		for id := range pl.people {
			if _, ok := pl.inPeople[id]; !ok && !pl.rejected["person "+id] {
				pl.counts(People).Deleted++
			}
		}
	}

	// Completions: each names a person and a course the import leaves.
	personIDs := slices.Sorted(maps.Keys(pl.completions))
	for _, id := range personIDs {
		_, imported := pl.inPeople[id]
		_, stored := pl.people[id]
		stays := imported || stored && !pl.pruning(People)
		for _, cr := range pl.completions[id] {
			if id != "" && !stays && !pl.rejected["person "+id] {
				pl.reject(Completions, cr.row, cr.row.at("personid"), "person_id: %s", pl.missing("person", id, stored))
			}
			if code := cr.c.CourseCode; code != "" && !pl.courseExists(code) && !pl.rejected["course "+code] {
				_, stored := pl.courses[code]
				pl.reject(Completions, cr.row, cr.row.at("coursecode"), "course_code: %s", pl.missing("course", code, stored))
			}
		}
	}
}

// finish folds the completions into the people, compares every record
// with the stored one and, when nothing was rejected, lists the writes.
func (pl *planner) finish() {
	// The people whose record the import writes: the imported ones, and
	// the stored ones that gain (or, with --prune, lose) completions.
	people := map[string]*imported[domain.Person]{}
	for id, in := range pl.inPeople {
		people[id] = in
	}
	touched := slices.Collect(maps.Keys(pl.completions))
	if pl.pruning(Completions) {
		touched = slices.Collect(maps.Keys(pl.people))
		touched = append(touched, slices.Collect(maps.Keys(pl.inPeople))...)
	}
	for _, id := range touched {
		if _, ok := people[id]; ok {
			continue
		}
		if s, ok := pl.people[id]; ok && !pl.pruning(People) {
			people[id] = &imported[domain.Person]{rec: clonePerson(s), stored: s}
		}
	}
	for id, in := range people {
		rows := slices.DeleteFunc(slices.Clone(pl.completions[id]), func(cr completionRow) bool { return cr.bad || pl.bad[cr.row.pos] })
		kept := in.rec.Completions
		if pl.pruning(Completions) {
			listed := map[string]bool{}
			for _, cr := range rows {
				listed[completionKey(cr.c)] = true
			}
			kept = slices.DeleteFunc(slices.Clone(kept), func(c domain.Completion) bool {
				if !listed[completionKey(c)] {
					pl.plan.Completions.Deleted++
					return true
				}
				return false
			})
		}
		have := map[string]bool{}
		for _, c := range kept {
			have[completionKey(c)] = true
		}
		var added []domain.Completion
		for _, cr := range rows {
			if have[completionKey(cr.c)] {
				pl.plan.Completions.Unchanged++
				continue
			}
			added = append(added, cr.c)
		}
		slices.SortStableFunc(added, func(a, b domain.Completion) int {
			return cmp.Or(a.Completed.Compare(b.Completed), cmp.Compare(a.CourseCode, b.CourseCode))
		})
		pl.plan.Completions.Created += len(added)
		in.rec.Completions = append(slices.Clone(kept), added...)
		if len(in.rec.Completions) == 0 {
			in.rec.Completions = nil
		}
		if err := in.rec.Validate(); err != nil && len(rows) > 0 {
			pl.invalid(Completions, rows[len(rows)-1].row, err)
		}
	}

	if len(pl.plan.Rejections) > 0 {
		pl.countChanges(people, false)
		pl.plan.Rejections = pl.plan.Rejections.Sort()
		return
	}
	pl.countChanges(people, true)
}

// countChanges counts creations, updates and unchanged records and, with
// ops, lists the writes.
func (pl *planner) countChanges(people map[string]*imported[domain.Person], ops bool) {
	var out []domain.ImportOp
	for _, code := range pl.courseKeys {
		in := pl.inCourses[code]
		switch {
		case pl.bad[in.row.pos]:
			// Rejected: counted as such.
		case in.stored == nil:
			pl.plan.Courses.Created++
			out = append(out, domain.ImportOp{Op: domain.OpCreate, Course: bareCourse(in.rec)})
		case sameCourse(in.rec, in.stored):
			pl.plan.Courses.Unchanged++
		default:
			pl.plan.Courses.Updated++
			out = append(out, domain.ImportOp{Op: domain.OpUpdate, Course: bareCourse(in.rec), Version: in.stored.Version})
		}
	}
	for _, id := range pl.positionKeys {
		in := pl.inPositions[id]
		switch {
		case pl.bad[in.row.pos]:
		case in.stored == nil:
			pl.plan.Positions.Created++
			out = append(out, domain.ImportOp{Op: domain.OpCreate, Position: barePosition(in.rec)})
		case samePosition(in.rec, in.stored):
			pl.plan.Positions.Unchanged++
		default:
			pl.plan.Positions.Updated++
			out = append(out, domain.ImportOp{Op: domain.OpUpdate, Position: barePosition(in.rec), Version: in.stored.Version})
		}
	}
	ids := slices.Sorted(maps.Keys(people))
	for _, id := range ids {
		in := people[id]
		_, listed := pl.inPeople[id]
		switch {
		case listed && pl.bad[in.row.pos]:
		case in.stored == nil:
			pl.plan.People.Created++
			out = append(out, domain.ImportOp{Op: domain.OpCreate, Person: barePerson(in.rec)})
		case samePerson(in.rec, in.stored):
			if listed {
				pl.plan.People.Unchanged++
			}
		default:
			if listed && !samePersonFields(in.rec, in.stored) {
				pl.plan.People.Updated++
			} else if listed {
				pl.plan.People.Unchanged++
			}
			out = append(out, domain.ImportOp{Op: domain.OpUpdate, Person: barePerson(in.rec), Version: in.stored.Version})
		}
	}
	if pl.pruning(People) {
		for _, id := range slices.Sorted(maps.Keys(pl.people)) {
			if _, ok := pl.inPeople[id]; !ok {
				out = append(out, domain.ImportOp{Op: domain.OpDelete, Person: &domain.Person{ID: id}, Version: pl.people[id].Version})
			}
		}
	}
	if pl.pruning(Positions) {
		for _, id := range slices.Sorted(maps.Keys(pl.positions)) {
			if _, ok := pl.inPositions[id]; !ok {
				out = append(out, domain.ImportOp{Op: domain.OpDelete, Position: &domain.Position{ID: id}, Version: pl.positions[id].Version})
			}
		}
	}
	if pl.pruning(Courses) {
		for _, code := range slices.Sorted(maps.Keys(pl.courses)) {
			if _, ok := pl.inCourses[code]; !ok {
				out = append(out, domain.ImportOp{Op: domain.OpDelete, Course: &domain.Course{Code: code}, Version: pl.courses[code].Version})
			}
		}
	}
	if ops {
		pl.plan.Ops = out
	}
}

// completionKey identifies a completion of one person: course and day.
func completionKey(c domain.Completion) string {
	return c.CourseCode + "\x00" + formatDay(c.Completed)
}

// bareCourse, barePosition and barePerson clear a record's stored
// bookkeeping (version, audit tag, update time): the record as an import
// writes it.
func bareCourse(c *domain.Course) *domain.Course {
	c.Version, c.Audit, c.UpdatedAt = 0, "", time.Time{}
	return c
}

func barePosition(p *domain.Position) *domain.Position {
	p.Version, p.Audit, p.UpdatedAt = 0, "", time.Time{}
	return p
}

func barePerson(p *domain.Person) *domain.Person {
	p.Version, p.Audit, p.UpdatedAt = 0, "", time.Time{}
	return p
}

func cloneCourse(c *domain.Course) *domain.Course {
	cp := *c
	cp.Objectives, cp.Topics, cp.Prerequisites = slices.Clone(c.Objectives), slices.Clone(c.Topics), slices.Clone(c.Prerequisites)
	return &cp
}

func clonePerson(p *domain.Person) *domain.Person {
	cp := *p
	cp.Completions = slices.Clone(p.Completions)
	return &cp
}

// sameCourse reports whether two courses have the same content (not the
// same version).
func sameCourse(a, b *domain.Course) bool {
	return a.Code == b.Code && a.Title == b.Title && a.Description == b.Description &&
		slices.Equal(a.Objectives, b.Objectives) && slices.Equal(a.Topics, b.Topics) && a.Hours == b.Hours &&
		a.DeliveryMode == b.DeliveryMode && a.Provider == b.Provider && a.Status == b.Status &&
		slices.Equal(a.Prerequisites, b.Prerequisites)
}

// samePosition reports whether two positions have the same content.
func samePosition(a, b *domain.Position) bool {
	return a.ID == b.ID && a.Title == b.Title && a.Organization == b.Organization && a.Grade == b.Grade &&
		a.Category == b.Category && a.KeyBillet == b.KeyBillet && a.Region == b.Region
}

// samePersonFields reports whether two people have the same fields, their
// completions aside.
func samePersonFields(a, b *domain.Person) bool {
	return a.ID == b.ID && a.Name == b.Name && a.PositionID == b.PositionID
}

// samePerson reports whether two people have the same content,
// completions (in order) included.
func samePerson(a, b *domain.Person) bool {
	return samePersonFields(a, b) && slices.EqualFunc(a.Completions, b.Completions, func(x, y domain.Completion) bool {
		return completionKey(x) == completionKey(y)
	})
}
