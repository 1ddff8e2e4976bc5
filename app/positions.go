package app

import (
	"cmap/domain"
	"context"
)

// CreatePosition stores a new position with version 1 and derives its
// requirements. Errors: EINVALID; ECONFLICT when the id is taken.
func (a *App) CreatePosition(ctx context.Context, p *domain.Position) error {
	if err := p.Validate(); err != nil {
		return err
	}
	e := recordEntry(ctx, domain.OpCreate, domain.AuditPosition, p.ID, nil, p, positionMeta)
	return a.writeAudited(ctx, e, func() error { return a.store.CreatePosition(ctx, p) },
		func(cur *state) (*state, factsChange, error) { return a.withPosition(cur, p) })
}

// UpdatePosition applies edit to the stored position with id and stores
// the result, provided the stored version is version, and derives its
// requirements again. The id cannot change. Errors: ENOTFOUND; ECONFLICT when the stored version differs;
// EINVALID.
func (a *App) UpdatePosition(ctx context.Context, id string, version int64, edit func(*domain.Position)) (*domain.Position, error) {
	p, err := a.store.Position(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion("position", id, version, p.Version); err != nil {
		return nil, err
	}
	before := *p
	edit(p)
	p.ID = id
	if err := p.Validate(); err != nil {
		return nil, err
	}
	e := recordEntry(ctx, domain.OpUpdate, domain.AuditPosition, id, &before, p, positionMeta)
	err = a.writeAudited(ctx, e, func() error { return a.store.UpdatePosition(ctx, p) },
		func(cur *state) (*state, factsChange, error) { return a.withPosition(cur, p) })
	if err != nil {
		return nil, err
	}
	return p, nil
}

// DeletePosition deletes the position with id if its stored version is
// version, with its facts. A position that people hold is not deleted (ECONFLICT):
// reassign them first. Errors: ENOTFOUND; ECONFLICT.
func (a *App) DeletePosition(ctx context.Context, id string, version int64) error {
	p, err := a.store.Position(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion("position", id, version, p.Version); err != nil {
		return err
	}
	held, err := a.store.CountPeople(ctx, domain.PersonFilter{PositionID: id})
	if err != nil {
		return err
	}
	switch {
	case held == 1:
		return domain.Errorf(domain.ECONFLICT, "position %s is held by 1 person: assign them elsewhere first", id)
	case held > 1:
		return domain.Errorf(domain.ECONFLICT, "position %s is held by %d people: assign them elsewhere first", id, held)
	}
	e := recordEntry(ctx, domain.OpDelete, domain.AuditPosition, id, p, nil, positionMeta)
	return a.writeAudited(ctx, e, func() error { return a.store.DeletePosition(ctx, id, version) },
		func(cur *state) (*state, factsChange, error) { return a.withoutPosition(cur, id) })
}
