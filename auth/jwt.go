package auth

import (
	"cmap/domain"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// Defaults of JWTConfig.
const (
	// DefaultRolesClaim is the claim that lists a user's roles.
	DefaultRolesClaim = "roles"
	// DefaultJWKSRefresh is how often the key set is read again.
	DefaultJWKSRefresh = time.Hour
	// DefaultUnknownKIDRefresh is the least time between two reads of the
	// key set prompted by tokens naming a key it lacks: keys rotate
	// without a restart, and tokens with made-up key ids cannot make cmap
	// hammer the identity provider.
	DefaultUnknownKIDRefresh = 10 * time.Second
	// jwksTimeout bounds one periodic read of the key set.
	jwksTimeout = 10 * time.Second
	// unknownKIDWait bounds how long a request whose token names an
	// unknown key waits for the key set to be read again.
	unknownKIDWait = 2 * time.Second
	// clockSkew is the leeway allowed on exp, nbf and iat.
	clockSkew = 30 * time.Second
)

// signingMethods are the algorithms accepted: the asymmetric ones only, so
// that a public key can never serve as an HMAC secret, and never "none".
var signingMethods = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// JWTConfig says which tokens of the identity provider to accept.
type JWTConfig struct {
	// JWKS is where the provider publishes its JSON Web Key Set: an
	// http(s) URL or a file.
	JWKS string
	// Issuer and Audience must equal the token's iss and be one of its aud.
	Issuer, Audience string
	// RolesClaim names the claim that lists the user's roles: an array
	// of role names or one string of names separated by spaces or
	// commas. A dotted name reaches into objects ("realm_access.roles").
	// Names that are not cmap roles are ignored. "" means
	// DefaultRolesClaim.
	RolesClaim string
	// Refresh is how often the key set is read again; 0 means
	// DefaultJWKSRefresh.
	Refresh time.Duration
	// UnknownKIDRefresh is the least time between two reads prompted by
	// an unknown key id; 0 means DefaultUnknownKIDRefresh.
	UnknownKIDRefresh time.Duration
}

// JWTVerifier checks tokens of the identity provider: the signature
// against the key set (github.com/MicahParks/keyfunc/v3 over jwkset
// picks the key by kid and alg; the set is read again periodically and,
// rate-limited, when a token names a key it lacks), then iss, aud, exp
// (required), nbf and iat (github.com/golang-jwt/jwt/v5), and a subject.
type JWTVerifier struct {
	cfg     JWTConfig
	keyfunc keyfunc.Keyfunc
	parser  *jwt.Parser
}

// NewJWTVerifier reads the key set once and returns a verifier that keeps
// it current until ctx ends. A key set file that cannot be read or parsed
// is an error; a URL that does not answer at start is logged and read
// again on the first token, so that cmap starts while the provider is
// down (API keys work meanwhile).
func NewJWTVerifier(ctx context.Context, cfg JWTConfig, logger *slog.Logger) (*JWTVerifier, error) {
	switch {
	case cfg.JWKS == "":
		return nil, errors.New("no JWKS (key set URL or file) given")
	case cfg.Issuer == "":
		return nil, errors.New("no issuer given: tokens of any issuer would be accepted")
	case cfg.Audience == "":
		return nil, errors.New("no audience given: tokens meant for other services would be accepted")
	}
	if cfg.RolesClaim == "" {
		cfg.RolesClaim = DefaultRolesClaim
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = DefaultJWKSRefresh
	}
	if cfg.UnknownKIDRefresh <= 0 {
		cfg.UnknownKIDRefresh = DefaultUnknownKIDRefresh
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	location, client, isFile, err := jwksLocation(cfg.JWKS)
	if err != nil {
		return nil, err
	}
	storage, err := jwkset.NewStorageFromHTTP(location, jwkset.HTTPClientStorageOptions{
		Client:                    client,
		Ctx:                       ctx,
		HTTPTimeout:               jwksTimeout,
		NoErrorReturnFirstHTTPReq: !isFile,
		RefreshInterval:           cfg.Refresh,
		RefreshErrorHandler: func(ctx context.Context, err error) {
			logger.ErrorContext(ctx, "reading the identity provider's key set failed; the keys read before stay", "jwks", cfg.JWKS, "error", err)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("reading the key set %s: %w", cfg.JWKS, err)
	}
	set, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{location: storage},
		RefreshUnknownKID: rate.NewLimiter(rate.Every(cfg.UnknownKIDRefresh), 1),
		// A token naming an unknown key is refused at once when the next
		// read the limiter allows is further away than this, and waits
		// for it otherwise; the read itself must finish within it too.
		RateLimitWaitMax: unknownKIDWait,
	})
	if err != nil {
		return nil, err
	}
	kf, err := keyfunc.New(keyfunc.Options{Ctx: ctx, Storage: set})
	if err != nil {
		return nil, err
	}
	parser := jwt.NewParser(jwt.WithValidMethods(signingMethods), jwt.WithIssuer(cfg.Issuer), jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(clockSkew))
	return &JWTVerifier{cfg: cfg, keyfunc: kf, parser: parser}, nil
}

// jwksLocation returns the URL to read the key set at and the client to
// read it with. A file is read through a client whose transport serves
// its folder, so that the key set library's refreshing (periodic, and on
// an unknown key id) re-reads the file just as it would a URL.
func jwksLocation(jwks string) (location string, client *http.Client, isFile bool, err error) {
	if strings.HasPrefix(jwks, "https://") || strings.HasPrefix(jwks, "http://") {
		if _, err := url.ParseRequestURI(jwks); err != nil {
			return "", nil, false, fmt.Errorf("JWKS URL %q: %w", jwks, err)
		}
		return jwks, &http.Client{Timeout: jwksTimeout}, false, nil
	}
	abs, err := filepath.Abs(jwks)
	if err != nil {
		return "", nil, false, err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", nil, false, fmt.Errorf("JWKS file: %w", err)
	}
	dir, name := filepath.Split(abs)
	client = &http.Client{Transport: http.NewFileTransportFS(os.DirFS(dir))}
	return "file:///" + url.PathEscape(name), client, true, nil
}

// Verify returns the principal of a token: "jwt:" and its subject, a name
// from its name, preferred_username or email claim, and the cmap roles its
// roles claim lists. A token refused for any reason is EUNAUTHENTICATED
// with a reason fit to show its bearer (the underlying error is wrapped
// for the logs).
func (v *JWTVerifier) Verify(ctx context.Context, token string) (*domain.Principal, error) {
	claims := jwt.MapClaims{}
	_, err := v.parser.ParseWithClaims(token, claims, v.keyfunc.KeyfuncCtx(ctx))
	if err != nil {
		return nil, refusal(err)
	}
	sub, _ := claims.GetSubject()
	if sub == "" {
		return nil, &domain.Error{Code: domain.EUNAUTHENTICATED, Message: "the token names no subject (sub)"}
	}
	p := &domain.Principal{ID: "jwt:" + sub, Name: sub, Roles: rolesOf(claimAt(claims, v.cfg.RolesClaim))}
	for _, c := range []string{"name", "preferred_username", "email"} {
		if s, ok := claims[c].(string); ok && s != "" {
			p.Name = s
			break
		}
	}
	return p, nil
}

// refusal turns a parse error into the reason given to the token's
// bearer.
func refusal(err error) error {
	msg := "the token is not valid"
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		msg = "the token is malformed"
	case errors.Is(err, jwt.ErrTokenExpired):
		msg = "the token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		msg = "the token is not valid yet"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		msg = "the token was issued by another issuer"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		msg = "the token is meant for another audience"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		msg = "the token lacks a required claim (exp)"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		msg = "the token's signature could not be verified with the identity provider's keys"
	}
	return &domain.Error{Code: domain.EUNAUTHENTICATED, Message: msg, Err: err}
}

// claimAt returns the claim at a dotted path, nil when there is none.
func claimAt(claims jwt.MapClaims, path string) any {
	var cur any = map[string]any(claims)
	for name := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[name]
	}
	return cur
}

// rolesOf returns the cmap roles a roles claim names, in the order named,
// each once.
func rolesOf(claim any) []domain.Role {
	var names []string
	switch c := claim.(type) {
	case string:
		names = strings.FieldsFunc(c, func(r rune) bool { return r == ' ' || r == ',' })
	case []any:
		for _, n := range c {
			if s, ok := n.(string); ok {
				names = append(names, s)
			}
		}
	}
	var roles []domain.Role
	for _, n := range names {
		if r, err := domain.ParseRole(n); err == nil && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	return roles
}
