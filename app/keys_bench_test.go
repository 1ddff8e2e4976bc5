package app_test

import (
	"cmap/domain"
	"log/slog"
	"testing"

	"cmap/app"
	"cmap/memstore"
	"cmap/mongodb/mongotest"
)

// BenchmarkAuthenticateAPIKey measures what checking an API key costs a
// request: a SHA-256 and a lookup of the key in the cache; the store is
// read once per key and DefaultKeyCacheTTL (without the cache, a read from
// the embedded FerretDB cost about 0.7 ms and a thousand allocations).
func BenchmarkAuthenticateAPIKey(b *testing.B) {
	for _, tc := range []struct {
		name  string
		store func(b *testing.B) domain.Store
	}{
		{"memstore", func(*testing.B) domain.Store { return memstore.New() }},
		{"ferretdb", func(b *testing.B) domain.Store { return mongotest.Open(b) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			keys := app.NewKeys(tc.store(b), slog.New(slog.DiscardHandler))
			_, token, err := keys.Create(b.Context(), "bench", []domain.Role{domain.RoleViewer})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := keys.Authenticate(b.Context(), token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
