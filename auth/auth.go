// Package auth establishes who makes each HTTP request to cmap: it reads
// the request's credentials and puts the domain.Principal they prove (or
// why they prove none) on the request's context, where the GraphQL
// directive @auth, the exports and the audit trail find it (engine.
// Authorize, domain.PrincipalFrom). It decides nothing about what a
// principal may do: roles are checked where the data is.
//
// Two kinds of credential are accepted, both as "Authorization: Bearer
// <credential>":
//
//   - API keys (tokens shaped cmap_<id>_<secret>) for services and
//     scripts, checked against their stored hashes (app.Keys);
//   - JSON Web Tokens of the organization's identity provider, verified
//     against its JSON Web Key Set (JWTVerifier).
//
// A request without credentials is anonymous: let in as a viewer when
// Config.Anonymous says so, and otherwise left without a principal, so
// that anything needing a role answers UNAUTHENTICATED. A request with
// credentials that are refused is never let in anonymously: its client
// learns that its key or token is bad.
package auth

import (
	"cmap/domain"
	"context"
	"log/slog"
	"net/http"
	"strings"
)

// KeyAuthenticator checks API key tokens (app.Keys does).
type KeyAuthenticator interface {
	// Authenticate returns the principal of token; EUNAUTHENTICATED when
	// it is refused, other codes when it could not be checked.
	Authenticate(ctx context.Context, token string) (*domain.Principal, error)
}

// Config says how requests are authenticated.
type Config struct {
	// Anonymous lets requests without credentials in as viewers
	// (domain.Anonymous).
	Anonymous bool
	// Keys checks API keys.
	Keys KeyAuthenticator
	// JWT verifies tokens of the identity provider; nil when none is
	// configured, and then such tokens are refused.
	JWT *JWTVerifier
	// Logger receives why credentials were refused (the caller is told
	// less) and failures to check them; nil discards.
	Logger *slog.Logger
}

// Middleware returns next with each request's principal on its context.
func (c Config) Middleware(next http.Handler) http.Handler {
	logger := c.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p, reason := c.authenticate(ctx, r.Header.Values("Authorization"), logger)
		switch {
		case p != nil:
			ctx = domain.WithPrincipal(ctx, p)
		case reason != "":
			ctx = domain.WithAuthFailure(ctx, reason)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// authenticate returns the principal that the Authorization header fields
// prove, or the reason to give the caller why they prove none ("" for a
// request without credentials on a server that lets no one in
// anonymously).
func (c Config) authenticate(ctx context.Context, fields []string, logger *slog.Logger) (*domain.Principal, string) {
	switch {
	case len(fields) == 0 && c.Anonymous:
		return domain.Anonymous, ""
	case len(fields) == 0:
		return nil, ""
	case len(fields) > 1:
		return nil, "send one Authorization header, not several"
	}
	scheme, credential, _ := strings.Cut(strings.TrimSpace(fields[0]), " ")
	credential = strings.TrimSpace(credential)
	if !strings.EqualFold(scheme, "Bearer") || credential == "" {
		return nil, "send credentials as Authorization: Bearer <API key or token>"
	}
	if _, ok := domain.APIKeyID(credential); ok {
		p, err := c.Keys.Authenticate(ctx, credential)
		switch domain.ErrorCode(err) {
		case "":
			return p, ""
		case domain.EUNAUTHENTICATED:
			return nil, domain.ErrorMessage(err)
		}
		logger.ErrorContext(ctx, "checking an API key failed", "error", err)
		return nil, "the API key could not be checked now; try again"
	}
	if c.JWT == nil {
		return nil, "the credential is not an API key, and no identity provider is configured to accept tokens"
	}
	p, err := c.JWT.Verify(ctx, credential)
	if err != nil {
		logger.InfoContext(ctx, "a token was refused", "error", err)
		return nil, domain.ErrorMessage(err)
	}
	return p, ""
}
