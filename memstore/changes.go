package memstore

import (
	"cmap/domain"
	"context"
	"crypto/rand"
)

// logChange increments the data version, draws a new data id (see
// domain.Versions) and logs the write of record key of kind under the new
// version, prunes the entry the log no longer keeps and wakes the
// watchers. The caller holds the write lock.
func (s *Store) logChange(kind domain.ChangeKind, key string) {
	s.dataVersion++
	s.dataID = rand.Text()
	v := s.dataVersion
	s.changes[v] = domain.Change{Version: v, Kind: kind, Key: key, DataID: s.dataID}
	delete(s.changes, v-domain.ChangeLogLength)
	for ch := range s.watchers {
		select {
		case ch <- struct{}{}:
		default: // a wake-up is pending already
		}
	}
}

// Changes returns the change log entries of the versions after after up
// to through, stopping at the first missing one (EINVALID for a bad range,
// ENOTFOUND when version after+1 was pruned).
func (s *Store) Changes(ctx context.Context, after, through int64) ([]domain.Change, error) {
	if err := domain.CheckChangeRange(after, through); err != nil {
		return nil, err
	}
	if err := live(ctx, "read changes"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []domain.Change
	for v := after + 1; v <= through; v++ {
		c, ok := s.changes[v]
		if !ok {
			if v == after+1 {
				return nil, domain.ChangesPruned(after, s.dataVersion, domain.ChangeLogLength)
			}
			break
		}
		out = append(out, c)
	}
	return out, nil
}

// WatchChanges returns a channel that receives a value after each write of
// a record to s (several writes may share one), closed when ctx is done.
func (s *Store) WatchChanges(ctx context.Context) (<-chan struct{}, error) {
	if err := live(ctx, "watch changes"); err != nil {
		return nil, err
	}
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.watchers[ch] = struct{}{}
	s.mu.Unlock()
	go func() {
		<-ctx.Done()
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.watchers, ch)
		close(ch)
	}()
	return ch, nil
}
