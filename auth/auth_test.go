package auth_test

import (
	"cmap/domain"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"cmap/app"
	"cmap/auth"
	"cmap/memstore"
)

// seen is what a handler behind the middleware found on its request.
type seen struct {
	principal *domain.Principal
	viewer    error // domain.Authorize(viewer)
}

// through sends a request with the Authorization header fields given
// through c's middleware and returns what the handler saw.
func through(t *testing.T, c auth.Config, authorization ...string) seen {
	t.Helper()
	var s seen
	h := c.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.principal = domain.PrincipalFrom(r.Context())
		s.viewer = domain.Authorize(r.Context(), domain.RoleViewer)
	}))
	req := httptest.NewRequest(http.MethodGet, "/graphql", nil)
	for _, a := range authorization {
		req.Header.Add("Authorization", a)
	}
	h.ServeHTTP(httptest.NewRecorder(), req)
	return s
}

func TestMiddlewareAPIKeysAndAnonymous(t *testing.T) {
	keys := app.NewKeys(memstore.New(), slog.New(slog.DiscardHandler))
	ctx := t.Context()
	key, token, err := keys.Create(ctx, "portal", []domain.Role{domain.RolePersonnel})
	if err != nil {
		t.Fatal(err)
	}
	revoked, revokedToken, err := keys.Create(ctx, "old", []domain.Role{domain.RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Revoke(ctx, revoked.ID); err != nil {
		t.Fatal(err)
	}

	for _, anonymous := range []bool{false, true} {
		c := auth.Config{Anonymous: anonymous, Keys: keys}
		s := through(t, c, "Bearer "+token)
		if s.principal == nil || s.principal.ID != "key:"+key.ID || s.principal.Name != "portal" || !s.principal.Has(domain.RolePersonnel) {
			t.Errorf("anonymous %v, a valid key: principal %+v", anonymous, s.principal)
		}
		if s := through(t, c, "bearer   "+token+" "); s.principal == nil {
			t.Errorf("anonymous %v: the scheme's case and spaces matter: %v", anonymous, s.viewer)
		}

		s = through(t, c)
		if anonymous && (s.principal != domain.Anonymous || s.viewer != nil) {
			t.Errorf("anonymous viewers let in, no credentials: %+v, %v", s.principal, s.viewer)
		}
		if !anonymous && (s.principal != nil || domain.ErrorCode(s.viewer) != domain.EUNAUTHENTICATED) {
			t.Errorf("no anonymous access, no credentials: %+v, %v", s.principal, s.viewer)
		}

		// Refused credentials are never let in anonymously.
		refusals := map[string][]string{
			"the API key is not valid":                   {"Bearer " + token[:len(token)-1] + "x", "Bearer cmap_nosuchkey123_secret"},
			"was revoked":                                {"Bearer " + revokedToken},
			"send credentials as Authorization: Bearer":  {"Basic dXNlcjpwYXNz", "Bearer ", token},
			"no identity provider is configured":         {"Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"},
			"send one Authorization header, not several": {"Bearer " + token, "Bearer " + token},
		}
		for reason, headers := range refusals {
			for _, h := range headers {
				fields := []string{h}
				if reason == "send one Authorization header, not several" {
					fields = headers
				}
				s := through(t, c, fields...)
				if s.principal != nil || domain.ErrorCode(s.viewer) != domain.EUNAUTHENTICATED || !strings.Contains(domain.ErrorMessage(s.viewer), reason) {
					t.Errorf("anonymous %v, Authorization %q: principal %+v, %v; want UNAUTHENTICATED saying %q", anonymous, fields, s.principal, s.viewer, reason)
				}
			}
		}
	}
}

// idp is a test identity provider: signing keys by kid, published as a
// key set.
type idp struct {
	t    *testing.T
	mu   sync.Mutex
	rsa  map[string]*rsa.PrivateKey
	ed   map[string]ed25519.PrivateKey
	file string // where the set is written, when set
}

func newIDP(t *testing.T) *idp {
	return &idp{t: t, rsa: map[string]*rsa.PrivateKey{}, ed: map[string]ed25519.PrivateKey{}}
}

// addRSA makes an RSA key with kid and publishes it.
func (p *idp) addRSA(kid string) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.rsa[kid] = k
	p.mu.Unlock()
	p.publish()
}

// addEd25519 makes an Ed25519 key with kid and publishes it.
func (p *idp) addEd25519(kid string) {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ed[kid] = k
	p.mu.Unlock()
	p.publish()
}

// remove takes RSA key kid out of the published set and returns it (it
// can still sign).
func (p *idp) remove(kid string) *rsa.PrivateKey {
	p.mu.Lock()
	k := p.rsa[kid]
	delete(p.rsa, kid)
	p.mu.Unlock()
	p.publish()
	return k
}

// set returns the published key set as JSON.
func (p *idp) set() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	var keys []jwkset.JWKMarshal
	add := func(pub any, kid string, alg jwkset.ALG) {
		jwk, err := jwkset.NewJWKFromKey(pub, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: kid, ALG: alg, USE: jwkset.UseSig}})
		if err != nil {
			p.t.Fatal(err)
		}
		keys = append(keys, jwk.Marshal())
	}
	for _, kid := range sortedKeys(p.rsa) {
		add(&p.rsa[kid].PublicKey, kid, jwkset.AlgRS256)
	}
	for _, kid := range sortedKeys(p.ed) {
		add(p.ed[kid].Public(), kid, jwkset.AlgEdDSA)
	}
	b, err := json.Marshal(jwkset.JWKSMarshal{Keys: keys})
	if err != nil {
		p.t.Fatal(err)
	}
	return b
}

// publish writes the set to p.file, when set, and returns it.
func (p *idp) publish() []byte {
	b := p.set()
	if p.file != "" {
		tmp := p.file + ".tmp"
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			p.t.Fatal(err)
		}
		if err := os.Rename(tmp, p.file); err != nil {
			p.t.Fatal(err)
		}
	}
	return b
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

const (
	issuer   = "https://idp.example.org/realms/dod"
	audience = "cmap"
)

// claims returns valid claims for subject sub, expiring in an hour.
func claims(sub string, extra map[string]any) jwt.MapClaims {
	c := jwt.MapClaims{"iss": issuer, "aud": []string{"other", audience}, "sub": sub,
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

// sign signs c with key kid (RSA or Ed25519).
func (p *idp) sign(kid string, c jwt.MapClaims) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var tok *jwt.Token
	var key any
	if k, ok := p.rsa[kid]; ok {
		tok, key = jwt.NewWithClaims(jwt.SigningMethodRS256, c), k
	} else {
		tok, key = jwt.NewWithClaims(jwt.SigningMethodEdDSA, c), p.ed[kid]
	}
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

func verifier(t *testing.T, jwks, rolesClaim string, refresh time.Duration) *auth.JWTVerifier {
	t.Helper()
	v, err := auth.NewJWTVerifier(t.Context(), auth.JWTConfig{JWKS: jwks, Issuer: issuer, Audience: audience,
		RolesClaim: rolesClaim, Refresh: refresh, UnknownKIDRefresh: time.Minute}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestJWTClaimsAreChecked(t *testing.T) {
	p := newIDP(t)
	p.file = filepath.Join(t.TempDir(), "jwks.json")
	p.addRSA("rsa-1")
	p.addEd25519("ed-1")
	v := verifier(t, p.file, "realm_access.roles", time.Hour)

	good := p.sign("rsa-1", claims("u-42", map[string]any{"name": "Dana Lee", "realm_access": map[string]any{"roles": []any{"Personnel", "offline_access", "editor", "personnel"}}}))
	got, err := v.Verify(t.Context(), good)
	if err != nil {
		t.Fatal(err)
	}
	want := &domain.Principal{ID: "jwt:u-42", Name: "Dana Lee", Roles: []domain.Role{domain.RolePersonnel, domain.RoleEditor}}
	if got.ID != want.ID || got.Name != want.Name || !slices.Equal(got.Roles, want.Roles) {
		t.Errorf("principal %+v, want %+v", got, want)
	}
	ed := p.sign("ed-1", claims("u-7", map[string]any{"preferred_username": "lee", "realm_access": map[string]any{"roles": "viewer rule-author"}}))
	if got, err := v.Verify(t.Context(), ed); err != nil || got.Name != "lee" || !slices.Equal(got.Roles, []domain.Role{domain.RoleViewer, domain.RoleRuleAuthor}) {
		t.Errorf("an EdDSA token with roles as one string: %+v, %v", got, err)
	}

	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, claims("u-1", nil))
	hs.Header["kid"] = "rsa-1"
	hsToken, _ := hs.SignedString([]byte("guessed"))
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims("u-1", nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	forged := good[:len(good)-4] + "AAAA"
	outsider := newIDP(t)
	outsider.addRSA("rsa-1")
	refused := map[string]string{
		p.sign("rsa-1", claims("u-1", map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})): "the token has expired",
		p.sign("rsa-1", claims("u-1", map[string]any{"iss": "https://evil.example"})):            "the token was issued by another issuer",
		p.sign("rsa-1", claims("u-1", map[string]any{"aud": "someone-else"})):                    "the token is meant for another audience",
		p.sign("rsa-1", claims("u-1", map[string]any{"nbf": time.Now().Add(time.Hour).Unix()})):  "the token is not valid yet",
		p.sign("rsa-1", jwt.MapClaims{"iss": issuer, "aud": audience, "sub": "u-1"}):             "the token lacks a required claim (exp)",
		p.sign("rsa-1", claims("", nil)):                                                         "the token names no subject (sub)",
		outsider.sign("rsa-1", claims("u-1", nil)):                                               "the token's signature could not be verified",
		forged:                                  "the token's signature could not be verified",
		hsToken:                                 "the token's signature could not be verified",
		none:                                    "the token's signature could not be verified",
		"eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln": "the token is malformed",
	}
	for token, reason := range refused {
		_, err := v.Verify(t.Context(), token)
		if domain.ErrorCode(err) != domain.EUNAUTHENTICATED || !strings.Contains(domain.ErrorMessage(err), reason) {
			t.Errorf("%.40s...: %v; want UNAUTHENTICATED saying %q", token, err, reason)
		}
	}
}

func TestJWTConfigIsChecked(t *testing.T) {
	file := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(file, []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]auth.JWTConfig{
		"no JWKS":            {Issuer: issuer, Audience: audience},
		"no issuer":          {JWKS: file, Audience: audience},
		"no audience":        {JWKS: file, Issuer: issuer},
		"a missing file":     {JWKS: file + ".missing", Issuer: issuer, Audience: audience},
		"a file of bad JSON": {JWKS: file, Issuer: issuer, Audience: audience},
	} {
		if _, err := auth.NewJWTVerifier(t.Context(), cfg, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// jwksServer serves p's key set and counts the reads.
func jwksServer(t *testing.T, p *idp) (string, *atomic.Int64) {
	var reads atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reads.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write(p.set())
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/jwks", &reads
}

// TestJWKSRotatesWithoutRestart: a token signed by a key the set did not
// hold when it was read makes the verifier read the set again, at most
// once per UnknownKIDRefresh.
func TestJWKSRotatesWithoutRestart(t *testing.T) {
	p := newIDP(t)
	p.addRSA("k1")
	url, reads := jwksServer(t, p)
	v := verifier(t, url, "roles", time.Hour)
	if reads.Load() != 1 {
		t.Fatalf("%d reads at start, want 1", reads.Load())
	}
	if _, err := v.Verify(t.Context(), p.sign("k1", claims("u", nil))); err != nil {
		t.Fatal(err)
	}

	p.addRSA("k2")
	if _, err := v.Verify(t.Context(), p.sign("k2", claims("u", nil))); err != nil {
		t.Fatalf("a token of a key added since: %v", err)
	}
	after := reads.Load()
	if after != 2 {
		t.Errorf("%d reads after an unknown kid, want 2", after)
	}
	// Made-up key ids do not make it read again within the interval.
	forged := forgeKID(t, "nope")
	for range 5 {
		if _, err := v.Verify(t.Context(), forged); err == nil {
			t.Fatal("a token of an unknown key was accepted")
		}
	}
	if reads.Load() != after {
		t.Errorf("%d reads after made-up key ids, want still %d", reads.Load(), after)
	}
}

// TestJWKSPeriodicRefreshDropsRemovedKeys: a key taken out of the set stops
// verifying after the periodic refresh.
func TestJWKSPeriodicRefreshDropsRemovedKeys(t *testing.T) {
	p := newIDP(t)
	p.addRSA("k1")
	url, _ := jwksServer(t, p)
	v := verifier(t, url, "roles", 100*time.Millisecond)
	if _, err := v.Verify(t.Context(), p.sign("k1", claims("u", nil))); err != nil {
		t.Fatal(err)
	}
	removed := p.remove("k1")
	deadline := time.Now().Add(5 * time.Second)
	for {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims("u", nil))
		tok.Header["kid"] = "k1"
		s, _ := tok.SignedString(removed)
		_, err := v.Verify(context.Background(), s)
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a key taken out of the set still verifies after the periodic refresh")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// forgeKID returns a token signed by a fresh key that claims kid.
func forgeKID(t *testing.T, kid string) string {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims("u", nil))
	tok.Header["kid"] = kid
	s, err := tok.SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJWKSFileIsReadAgainForANewKey(t *testing.T) {
	p := newIDP(t)
	p.file = filepath.Join(t.TempDir(), "jwks.json")
	p.addRSA("k1")
	v := verifier(t, p.file, "roles", time.Hour)
	p.addEd25519("k2")
	got, err := v.Verify(t.Context(), p.sign("k2", claims("u-9", map[string]any{"roles": []any{"viewer"}, "email": "u9@example.org"})))
	if err != nil {
		t.Fatalf("a token of a key added to the file since: %v", err)
	}
	if got.Name != "u9@example.org" || !slices.Equal(got.Roles, []domain.Role{domain.RoleViewer}) {
		t.Errorf("principal %+v", got)
	}

	c := auth.Config{Keys: app.NewKeys(memstore.New(), slog.New(slog.DiscardHandler)), JWT: v}
	s := through(t, c, "Bearer "+p.sign("k1", claims("u-1", map[string]any{"roles": "editor"})))
	if s.principal == nil || s.principal.ID != "jwt:u-1" || s.viewer != nil {
		t.Errorf("a token through the middleware: %+v, %v", s.principal, s.viewer)
	}
	s = through(t, c, "Bearer "+p.sign("k1", claims("u-1", map[string]any{"exp": time.Now().Add(-time.Minute).Unix()})))
	if s.principal != nil || !strings.Contains(domain.ErrorMessage(s.viewer), "expired") {
		t.Errorf("an expired token through the middleware: %+v, %v", s.principal, s.viewer)
	}
}
