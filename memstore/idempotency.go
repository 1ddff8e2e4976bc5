package memstore

import (
	"cmap/domain"
	"context"
	"time"
)

const idempotencyKind = "idempotent request"

// copyIdempotency returns a deep copy of r as the store keeps it.
func copyIdempotency(r *domain.IdempotencyRecord) *domain.IdempotencyRecord {
	out := *r
	out.Response = cloneList(r.Response)
	out.Entries = cloneList(r.Entries)
	out.Started = storedTime(r.Started)
	out.Expires = storedTime(r.Expires)
	return &out
}

// CreateIdempotency stores a new record with version 1 (ECONFLICT if its
// ID is taken) and sets r.Version.
func (s *Store) CreateIdempotency(ctx context.Context, r *domain.IdempotencyRecord) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if err := live(ctx, "insert "+idempotencyKind); err != nil {
		return err
	}
	stored := copyIdempotency(r)
	stored.Version = 1
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.idempotency[r.ID]; ok {
		return domain.Errorf(domain.ECONFLICT, "%s %s exists", idempotencyKind, r.ID)
	}
	s.idempotency[r.ID] = stored
	r.Version = 1
	return nil
}

// Idempotency returns the record with id (ENOTFOUND if none).
func (s *Store) Idempotency(ctx context.Context, id string) (*domain.IdempotencyRecord, error) {
	if err := live(ctx, "read "+idempotencyKind); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.idempotency[id]
	if !ok {
		return nil, domain.NotFound(idempotencyKind, id)
	}
	return copyIdempotency(r), nil
}

// UpdateIdempotency replaces the record whose stored version is r.Version
// (ECONFLICT otherwise, ENOTFOUND if none), then increments r.Version.
func (s *Store) UpdateIdempotency(ctx context.Context, r *domain.IdempotencyRecord) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if err := live(ctx, "write "+idempotencyKind); err != nil {
		return err
	}
	stored := copyIdempotency(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.idempotency[r.ID]
	switch {
	case !ok:
		return domain.NotFound(idempotencyKind, r.ID)
	case old.Version != r.Version:
		return domain.Errorf(domain.ECONFLICT, "%s %s was changed by someone else: you have version %d, stored is %d",
			idempotencyKind, r.ID, r.Version, old.Version)
	}
	stored.Version++
	s.idempotency[r.ID] = stored
	r.Version = stored.Version
	return nil
}

// PruneIdempotency deletes the records that expired at or before t.
func (s *Store) PruneIdempotency(ctx context.Context, t time.Time) (int, error) {
	if err := live(ctx, "delete expired "+idempotencyKind+"s"); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, r := range s.idempotency {
		if r.Expired(t) {
			delete(s.idempotency, id)
			n++
		}
	}
	return n, nil
}
