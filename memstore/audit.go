package memstore

import (
	"cmap/domain"
	"context"
	"maps"
	"slices"
)

// copyAuditEntry returns a deep copy of e as the store keeps it.
func copyAuditEntry(e *domain.AuditEntry) *domain.AuditEntry {
	out := *e
	out.Time = storedTime(e.Time)
	out.Changes = cloneList(e.Changes)
	return &out
}

// BeginAudit stores e among the pending entries (ECONFLICT if its ID is
// pending, EINVALID unless it is valid and pending).
func (s *Store) BeginAudit(ctx context.Context, e *domain.AuditEntry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if e.State != domain.AuditPending {
		return domain.Invalid("state", "a new audit entry is pending, not %s", e.State)
	}
	if err := live(ctx, "insert pending audit entry"); err != nil {
		return err
	}
	stored := copyAuditEntry(e)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.auditPending[e.ID]; ok {
		return domain.Errorf(domain.ECONFLICT, "audit entry %s exists", e.ID)
	}
	s.auditPending[e.ID] = stored
	return nil
}

// EndAudit stores e, done or failed, in the log and removes it from the
// pending entries.
func (s *Store) EndAudit(ctx context.Context, e *domain.AuditEntry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if e.State == domain.AuditPending {
		return domain.Invalid("state", "an ended audit entry is done or failed, not pending")
	}
	if err := live(ctx, "write audit entry"); err != nil {
		return err
	}
	stored := copyAuditEntry(e)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auditLog[e.ID] = stored
	s.auditLogKeys = nil
	delete(s.auditPending, e.ID)
	return nil
}

// PendingAudit returns the pending entries, oldest first.
func (s *Store) PendingAudit(ctx context.Context) ([]*domain.AuditEntry, error) {
	if err := live(ctx, "find pending audit entries"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*domain.AuditEntry
	ids := slices.Sorted(maps.Keys(s.auditPending))
	slices.Reverse(ids)
	for _, id := range ids {
		out = append(out, copyAuditEntry(s.auditPending[id]))
	}
	return out, nil
}

// AuditLog returns one page of the logged entries f selects, newest first.
func (s *Store) AuditLog(ctx context.Context, f domain.AuditFilter, p domain.Page) (domain.List[*domain.AuditEntry], error) {
	if p.First < 0 {
		return domain.List[*domain.AuditEntry]{Items: []*domain.AuditEntry{}}, domain.Invalid("first", "first must not be negative, not %d", p.First)
	}
	if err := live(ctx, "find audit entries"); err != nil {
		return domain.List[*domain.AuditEntry]{Items: []*domain.AuditEntry{}}, err
	}
	s.mu.Lock() // fills auditLogKeys
	defer s.mu.Unlock()
	if s.auditLogKeys == nil {
		s.auditLogKeys = slices.Sorted(maps.Keys(s.auditLog))
	}
	out := domain.List[*domain.AuditEntry]{Items: []*domain.AuditEntry{}}
	for _, id := range s.auditLogKeys {
		e := s.auditLog[id]
		if id <= p.After || !f.Match(e) {
			continue
		}
		if p.First > 0 && len(out.Items) == p.First {
			out.HasNext = true
			break
		}
		out.Items = append(out.Items, copyAuditEntry(e))
	}
	return out, nil
}
