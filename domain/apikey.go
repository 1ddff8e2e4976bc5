package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// APIKey is a credential of a service or a script. Its token, which the
// caller sends as "Authorization: Bearer <token>", is
//
//	cmap_<id>_<secret>
//
// where id names the key (it is not secret: lists and the audit trail show
// it) and secret is 26 characters of base32 from crypto/rand, 130 bits of
// entropy. The token is shown once, when the key is made; stores keep only
// its SHA-256 hash.
//
// A fast hash is the right one here. Slow, salted password hashes (bcrypt,
// scrypt, Argon2) exist because passwords are guessable: they make each of
// the few billion likely guesses costly. A 130-bit random secret has no
// likely guesses: a stolen hash cannot be reversed by search at any hash
// speed, and a salt adds nothing to a value that is unique already. A slow
// hash would only cost every request tens of milliseconds of CPU and make
// authentication itself a denial-of-service target. The hash is compared in
// constant time.
type APIKey struct {
	// ID names the key: 12 random characters of lower-case base32 (see
	// NewAPIKeyWithID for others).
	ID   string `json:"id"`
	Name string `json:"name"`
	// Roles are the roles granted, at least one.
	Roles []Role `json:"roles"`
	// Hash is the SHA-256 of the token.
	Hash []byte `json:"-"`
	// CreatedAt and CreatedBy (a Principal's ID) say who made the key when.
	CreatedAt time.Time `json:"createdAt"`
	CreatedBy string    `json:"createdBy"`
	// RevokedAt is when the key was revoked; zero while it is valid.
	RevokedAt time.Time `json:"revokedAt"`
	// Version counts the writes of the record, as for courses.
	Version int64 `json:"version"`
	// Audit is the ID of the audit entry of the write that stored this
	// version.
	Audit string `json:"-"`
}

// apiKeyPrefix starts every API key token, so that a leaked key is easy to
// recognize (by secret scanners too) and tokens of the identity provider
// are never mistaken for keys.
const apiKeyPrefix = "cmap_"

var apiKeyID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,31}$`)

// NewAPIKey returns a new key named name with roles and its token, which
// is to be shown to the caller once and then forgotten. CreatedAt,
// CreatedBy and Version are the caller's and the store's to set.
func NewAPIKey(name string, roles []Role) (*APIKey, string) {
	return NewAPIKeyWithID(strings.ToLower(rand.Text()[:12]), name, roles)
}

// NewAPIKeyWithID is NewAPIKey with an id of the caller's (3 to 32
// characters a-z, 0-9 and -), for a key that must be unique by its id.
func NewAPIKeyWithID(id, name string, roles []Role) (*APIKey, string) {
	token := apiKeyPrefix + id + "_" + rand.Text()
	sum := sha256.Sum256([]byte(token))
	return &APIKey{ID: id, Name: strings.TrimSpace(name), Roles: roles, Hash: sum[:]}, token
}

// APIKeyID returns the id of the key a token names, and false when token
// is not shaped as an API key token.
func APIKeyID(token string) (string, bool) {
	rest, ok := strings.CutPrefix(token, apiKeyPrefix)
	if !ok {
		return "", false
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || !apiKeyID.MatchString(id) || secret == "" {
		return "", false
	}
	return id, true
}

// Matches reports whether token is the key's token, comparing hashes in
// constant time.
func (k *APIKey) Matches(token string) bool {
	sum := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(sum[:], k.Hash) == 1
}

// Revoked reports whether the key has been revoked.
func (k *APIKey) Revoked() bool { return !k.RevokedAt.IsZero() }

// Validate checks the key's fields.
func (k *APIKey) Validate() error {
	switch {
	case !apiKeyID.MatchString(k.ID):
		return Invalid("id", "%q is not an API key id (3 to 32 characters a-z, 0-9 and -)", k.ID)
	case strings.TrimSpace(k.Name) == "":
		return Invalid("name", "name is empty")
	case len(k.Name) > 100:
		return Invalid("name", "name is longer than 100 bytes")
	case len(k.Roles) == 0:
		return Invalid("roles", "a key needs at least one role (%s)", RoleNames(Roles))
	case len(k.Hash) != sha256.Size:
		return Invalid("hash", "hash is not a SHA-256 sum")
	}
	for i, r := range k.Roles {
		if !slices.Contains(Roles, r) {
			return Invalid(fmt.Sprintf("roles[%d]", i), "%q is not a role (one of %s)", r, RoleNames(Roles))
		}
		if slices.Contains(k.Roles[:i], r) {
			return Invalid(fmt.Sprintf("roles[%d]", i), "role %s is given twice", r)
		}
	}
	return nil
}
