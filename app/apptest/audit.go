package apptest

import (
	"cmap/domain"
	"context"
	"fmt"
)

// AuditTrailProblems checks the promise of the audit trail on store: no
// entry is pending, and every record written with an entry (its Audit
// field is set; seeded records have none) names a done entry about that
// very record, or a done import (one entry for all the records an import
// wrote). It returns what breaks the promise, one line each.
func AuditTrailProblems(ctx context.Context, store domain.Store) ([]string, error) {
	var problems []string
	pending, err := store.PendingAudit(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range pending {
		problems = append(problems, fmt.Sprintf("entry %s (%s %s %s) is pending", e.ID, e.Operation, e.Kind, e.Key))
	}
	log, err := store.AuditLog(ctx, domain.AuditFilter{}, domain.Page{})
	if err != nil {
		return nil, err
	}
	byID := map[string]*domain.AuditEntry{}
	for _, e := range log.Items {
		byID[e.ID] = e
	}
	check := func(kind, key, tag string) {
		if tag == "" {
			return
		}
		switch e := byID[tag]; {
		case e != nil && e.State == domain.AuditDone && e.Kind == domain.AuditImport:
		case e == nil:
			problems = append(problems, fmt.Sprintf("%s %s carries entry %s, which the log does not hold", kind, key, tag))
		case e.State != domain.AuditDone || e.Kind != kind || e.Key != key:
			problems = append(problems, fmt.Sprintf("%s %s carries entry %s, which is %s %s %s %s", kind, key, tag, e.State, e.Operation, e.Kind, e.Key))
		}
	}
	courses, err := store.ListCourses(ctx, domain.CourseFilter{}, domain.Page{})
	if err != nil {
		return nil, err
	}
	for _, c := range courses.Items {
		check(domain.AuditCourse, c.Code, c.Audit)
	}
	positions, err := store.ListPositions(ctx, domain.PositionFilter{}, domain.Page{})
	if err != nil {
		return nil, err
	}
	for _, p := range positions.Items {
		check(domain.AuditPosition, p.ID, p.Audit)
	}
	people, err := store.ListPeople(ctx, domain.PersonFilter{}, domain.Page{})
	if err != nil {
		return nil, err
	}
	for _, p := range people.Items {
		check(domain.AuditPerson, p.ID, p.Audit)
	}
	keys, err := store.ListAPIKeys(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		check(domain.AuditAPIKey, k.ID, k.Audit)
	}
	revisions, err := store.FrameworkRevisions(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range revisions {
		check(domain.AuditModel, domain.AuditModelKey, r.Audit)
	}
	return problems, nil
}
