package domain

import (
	"strings"
	"testing"
)

func TestAPIKeyToken(t *testing.T) {
	k, token := NewAPIKey("  portal  ", []Role{RoleViewer})
	if k.Name != "portal" {
		t.Errorf("name %q, want it trimmed", k.Name)
	}
	if err := k.Validate(); err != nil {
		t.Fatalf("a new key is invalid: %v", err)
	}
	if !strings.HasPrefix(token, "cmap_"+k.ID+"_") || len(token) != len("cmap_")+12+1+26 {
		t.Errorf("token %q is not cmap_<12-character id>_<26-character secret>", token)
	}
	if strings.Contains(string(k.Hash), token) {
		t.Error("the key holds its token")
	}
	if id, ok := APIKeyID(token); !ok || id != k.ID {
		t.Errorf("APIKeyID(token) = %q, %v; want %q", id, ok, k.ID)
	}
	if !k.Matches(token) {
		t.Error("the key does not match its token")
	}
	if k.Matches(token[:len(token)-1]+"A") || k.Matches(token+"A") {
		t.Error("the key matches a different token")
	}
	other, otherToken := NewAPIKey("portal", []Role{RoleViewer})
	if other.ID == k.ID || otherToken == token {
		t.Error("two keys share an id or a token")
	}
	for _, bad := range []string{"", "cmap_", "cmap_ab_def", "cmap_A-B_def", "Bearer " + token, "eyJhbGciOiJSUzI1NiJ9.e30.sig", "cmap_" + k.ID, "cmap_" + k.ID + "_"} {
		if _, ok := APIKeyID(bad); ok {
			t.Errorf("APIKeyID(%q) accepted it", bad)
		}
	}
}

func TestAPIKeyValidate(t *testing.T) {
	tests := []struct {
		edit  func(*APIKey)
		field string
	}{
		{func(k *APIKey) { k.ID = "ABC" }, "id"},
		{func(k *APIKey) { k.ID = "a_b" }, "id"},
		{func(k *APIKey) { k.ID = "-ab" }, "id"},
		{func(k *APIKey) { k.Name = " " }, "name"},
		{func(k *APIKey) { k.Name = strings.Repeat("n", 101) }, "name"},
		{func(k *APIKey) { k.Roles = nil }, "roles"},
		{func(k *APIKey) { k.Roles = []Role{RoleViewer, "root"} }, "roles[1]"},
		{func(k *APIKey) { k.Roles = []Role{RoleViewer, RoleViewer} }, "roles[1]"},
		{func(k *APIKey) { k.Hash = k.Hash[:8] }, "hash"},
	}
	for _, tt := range tests {
		k, _ := NewAPIKey("portal", []Role{RoleViewer})
		tt.edit(k)
		err := k.Validate()
		if ErrorCode(err) != EINVALID || ErrorField(err) != tt.field {
			t.Errorf("want EINVALID on %s, got %v (field %q)", tt.field, err, ErrorField(err))
		}
	}
}
