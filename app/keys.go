package app

import (
	"cmap/domain"
	"context"
	"log/slog"
	"sync"
	"time"
)

// FirstAdminKeyID is the id of the admin key made at the first start of a
// database without one (Keys.Bootstrap). A fixed id makes the key unique
// even when several instances start on an empty database at once; the key
// stays (revoked, perhaps) once made, so it is never made again.
const FirstAdminKeyID = "first-admin"

// DefaultKeyCacheTTL is how long Keys.Authenticate trusts a key it read
// from the store without reading it again.
const DefaultKeyCacheTTL = 10 * time.Second

// maxCachedKeys bounds the cache of Keys.Authenticate; it is emptied when
// full.
const maxCachedKeys = 1000

// Keys makes, lists and revokes API keys, each change with its audit
// entry, and authenticates the tokens of requests. The command line uses
// one without an App (cmap keys); an App has one (App.Keys).
//
// Authenticate keeps the keys it read for a while (Options.KeyCacheTTL):
// reading a key from the embedded database costs about 0.7 ms and a
// thousand allocations, against microseconds for the answers most
// requests ask for. A key revoked through these Keys is refused at once;
// one revoked elsewhere (another instance, cmap keys) within the TTL.
type Keys struct {
	store domain.Store
	audit auditor
	ttl   time.Duration

	mu    sync.Mutex
	cache map[string]cachedKey
}

// cachedKey is a key as read from the store, and when.
type cachedKey struct {
	key  *domain.APIKey
	read time.Time
}

// NewKeys returns the API keys of store, logging to logger, with the
// default cache TTL.
func NewKeys(store domain.Store, logger *slog.Logger) *Keys {
	return newKeys(store, logger, DefaultKeyCacheTTL)
}

func newKeys(store domain.Store, logger *slog.Logger, ttl time.Duration) *Keys {
	return &Keys{store: store, audit: auditor{store: store, logger: logger}, ttl: ttl, cache: map[string]cachedKey{}}
}

// Keys returns the App's API keys.
func (a *App) Keys() *Keys { return a.keys }

// Create makes a key named name with roles and returns it with its token,
// which is shown to the caller once and stored nowhere. Errors: EINVALID
// (field "name" or "roles[i]").
func (k *Keys) Create(ctx context.Context, name string, roles []domain.Role) (*domain.APIKey, string, error) {
	key, token := domain.NewAPIKey(name, roles)
	if err := k.create(ctx, key); err != nil {
		return nil, "", err
	}
	return key, token, nil
}

// create stores key, made now by the request's principal.
func (k *Keys) create(ctx context.Context, key *domain.APIKey) error {
	key.CreatedAt = time.Now().UTC().Truncate(time.Millisecond)
	key.CreatedBy = actor(ctx).ID
	if err := key.Validate(); err != nil {
		return err
	}
	e := recordEntry(ctx, domain.OpCreate, domain.AuditAPIKey, key.ID, nil, key, apiKeyMeta)
	return k.audit.do(ctx, e, func() error { return k.store.CreateAPIKey(ctx, key) })
}

// List returns every key, revoked ones too, by id.
func (k *Keys) List(ctx context.Context) ([]*domain.APIKey, error) {
	return k.store.ListAPIKeys(ctx)
}

// Revoke revokes the key with id and returns it; requests bearing it are
// refused from then on. Revoking a revoked key changes nothing. Errors:
// ENOTFOUND; ECONFLICT when someone else changed the key meanwhile.
func (k *Keys) Revoke(ctx context.Context, id string) (*domain.APIKey, error) {
	key, err := k.store.APIKey(ctx, id)
	if err != nil {
		return nil, err
	}
	if key.Revoked() {
		return key, nil
	}
	before := *key
	key.RevokedAt = time.Now().UTC().Truncate(time.Millisecond)
	e := recordEntry(ctx, domain.OpRevoke, domain.AuditAPIKey, id, &before, key, apiKeyMeta)
	err = k.audit.do(ctx, e, func() error { return k.store.UpdateAPIKey(ctx, key) })
	k.mu.Lock()
	delete(k.cache, id) // whatever the outcome: read it again
	k.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return key, nil
}

// Authenticate returns the principal of an API key token. Errors:
// EUNAUTHENTICATED for a token that is not a key's (malformed, unknown,
// wrong secret: all told apart from each other only in the logs, never to
// the caller) and for a revoked key; the store's errors.
func (k *Keys) Authenticate(ctx context.Context, token string) (*domain.Principal, error) {
	refused := &domain.Error{Code: domain.EUNAUTHENTICATED, Message: "the API key is not valid"}
	id, ok := domain.APIKeyID(token)
	if !ok {
		return nil, refused
	}
	key, err := k.lookup(ctx, id)
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		return nil, refused
	case err != nil:
		return nil, err
	case !key.Matches(token):
		return nil, refused
	case key.Revoked():
		return nil, &domain.Error{Code: domain.EUNAUTHENTICATED, Message: "the API key " + id + " was revoked on " + key.RevokedAt.Format(time.DateOnly)}
	}
	return &domain.Principal{ID: "key:" + key.ID, Name: key.Name, Roles: key.Roles}, nil
}

// lookup returns the key with id, from the cache while it is fresh.
func (k *Keys) lookup(ctx context.Context, id string) (*domain.APIKey, error) {
	k.mu.Lock()
	c, ok := k.cache[id]
	k.mu.Unlock()
	if ok && time.Since(c.read) < k.ttl {
		return c.key, nil
	}
	read := time.Now()
	key, err := k.store.APIKey(ctx, id)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	if len(k.cache) >= maxCachedKeys {
		clear(k.cache)
	}
	k.cache[id] = cachedKey{key: key, read: read}
	k.mu.Unlock()
	return key, nil
}

// Bootstrap makes the first admin key (id FirstAdminKeyID) unless it was
// made before, and returns its token; "" when there was nothing to do.
// Whoever starts cmap on a new database gets it once, to make the keys
// people and services use.
func (k *Keys) Bootstrap(ctx context.Context) (string, error) {
	_, err := k.store.APIKey(ctx, FirstAdminKeyID)
	switch domain.ErrorCode(err) {
	case "":
		return "", nil
	case domain.ENOTFOUND:
	default:
		return "", err
	}
	key, token := domain.NewAPIKeyWithID(FirstAdminKeyID, "first admin (made at the first start)", []domain.Role{domain.RoleAdmin})
	err = k.create(domain.WithPrincipal(ctx, domain.System), key)
	if domain.ErrorCode(err) == domain.ECONFLICT {
		return "", nil // another instance made it just now
	}
	if err != nil {
		return "", err
	}
	return token, nil
}
