package memstore

import (
	"cmap/domain"
	"context"
	"encoding/json"
	"slices"
	"strings"
)

// WriteImport stores the journal j, committed at once: a memstore write
// is never cut off (ECONFLICT if its ID is stored, EINVALID unless valid).
func (s *Store) WriteImport(ctx context.Context, j *domain.ImportJournal) error {
	if err := j.Validate(); err != nil {
		return err
	}
	if err := live(ctx, "insert import journal"); err != nil {
		return err
	}
	stored := *j
	stored.Time = storedTime(j.Time)
	data, err := json.Marshal(&stored)
	if err != nil {
		return domain.Errorf(domain.EINTERNAL, "encoding import journal %s: %v", j.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.imports[j.ID]; ok {
		return domain.Errorf(domain.ECONFLICT, "import journal %s exists", j.ID)
	}
	s.imports[j.ID] = data
	return nil
}

// Imports returns the committed journals, oldest first.
func (s *Store) Imports(ctx context.Context) ([]*domain.ImportJournal, error) {
	if err := live(ctx, "find import journals"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*domain.ImportJournal
	for _, data := range s.imports {
		var j domain.ImportJournal
		if err := json.Unmarshal(data, &j); err != nil {
			return nil, domain.Errorf(domain.EINTERNAL, "decoding an import journal: %v", err)
		}
		out = append(out, &j)
	}
	slices.SortFunc(out, func(a, b *domain.ImportJournal) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// DeleteImport removes the journal with id, if stored.
func (s *Store) DeleteImport(ctx context.Context, id string) error {
	if err := live(ctx, "delete import journal"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.imports, id)
	return nil
}
