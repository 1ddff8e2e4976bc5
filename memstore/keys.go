package memstore

import (
	"cmap/domain"
	"context"
	"maps"
	"slices"
)

// copyAPIKey returns a deep copy of k as the store keeps it.
func copyAPIKey(k *domain.APIKey) *domain.APIKey {
	out := *k
	out.Roles = cloneList(k.Roles)
	out.Hash = slices.Clone(k.Hash)
	out.CreatedAt = storedTime(k.CreatedAt)
	if !k.RevokedAt.IsZero() {
		out.RevokedAt = storedTime(k.RevokedAt)
	}
	return &out
}

// CreateAPIKey stores a new key with version 1 (ECONFLICT if its ID is
// taken) and sets k.Version.
func (s *Store) CreateAPIKey(ctx context.Context, k *domain.APIKey) error {
	if err := k.Validate(); err != nil {
		return err
	}
	if err := live(ctx, "insert API key"); err != nil {
		return err
	}
	stored := copyAPIKey(k)
	stored.Version = 1
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apiKeys[k.ID]; ok {
		return domain.Errorf(domain.ECONFLICT, "API key %s exists", k.ID)
	}
	s.apiKeys[k.ID] = stored
	k.Version = 1
	return nil
}

// APIKey returns the key with id (ENOTFOUND if none).
func (s *Store) APIKey(ctx context.Context, id string) (*domain.APIKey, error) {
	if err := live(ctx, "read API key"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.apiKeys[id]
	if !ok {
		return nil, domain.NotFound("API key", id)
	}
	return copyAPIKey(k), nil
}

// ListAPIKeys returns every key, revoked ones too, in ID order.
func (s *Store) ListAPIKeys(ctx context.Context) ([]*domain.APIKey, error) {
	if err := live(ctx, "find API keys"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*domain.APIKey
	for _, id := range slices.Sorted(maps.Keys(s.apiKeys)) {
		out = append(out, copyAPIKey(s.apiKeys[id]))
	}
	return out, nil
}

// UpdateAPIKey replaces the key whose stored version is k.Version
// (ECONFLICT otherwise, ENOTFOUND if none), then increments k.Version.
func (s *Store) UpdateAPIKey(ctx context.Context, k *domain.APIKey) error {
	if err := k.Validate(); err != nil {
		return err
	}
	if err := live(ctx, "write API key"); err != nil {
		return err
	}
	stored := copyAPIKey(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.apiKeys[k.ID]
	switch {
	case !ok:
		return domain.NotFound("API key", k.ID)
	case old.Version != k.Version:
		return domain.Errorf(domain.ECONFLICT, "API key %s was changed by someone else: you have version %d, stored is %d",
			k.ID, k.Version, old.Version)
	}
	stored.Version++
	s.apiKeys[k.ID] = stored
	k.Version = stored.Version
	return nil
}
