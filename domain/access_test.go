package domain

import (
	"context"
	"strings"
	"testing"
)

func TestRoleImplies(t *testing.T) {
	// Each role's row: the roles it grants. Everyone views, records reads
	// the personnel records it writes, admin can do everything.
	grants := map[Role][]Role{
		RoleViewer:     {RoleViewer},
		RolePersonnel:  {RoleViewer, RolePersonnel},
		RoleEditor:     {RoleViewer, RoleEditor},
		RoleRecords:    {RoleViewer, RolePersonnel, RoleRecords},
		RoleRuleAuthor: {RoleViewer, RoleRuleAuthor},
		RoleAdmin:      Roles,
		"owner":        nil,
	}
	for held, granted := range grants {
		for _, want := range Roles {
			expected := false
			for _, g := range granted {
				expected = expected || g == want
			}
			if got := held.Implies(want); got != expected {
				t.Errorf("%s implies %s = %v, want %v", held, want, got, expected)
			}
		}
	}
}

func TestParseRole(t *testing.T) {
	if r, err := ParseRole(" Rule-Author "); err != nil || r != RoleRuleAuthor {
		t.Errorf("ParseRole(Rule-Author) = %q, %v", r, err)
	}
	_, err := ParseRole("root")
	if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "viewer, personnel, editor, records, rule-author, admin") {
		t.Errorf("ParseRole(root) = %v", err)
	}
}

func TestAuthorize(t *testing.T) {
	editor := &Principal{ID: "key:abc", Name: "catalogue sync", Roles: []Role{RoleEditor}}
	nobody := &Principal{ID: "jwt:u1", Name: "Dana", Roles: nil}
	tests := []struct {
		name string
		ctx  context.Context
		role Role
		code string
		msg  string
	}{
		{"no credentials", context.Background(), RoleViewer, EUNAUTHENTICATED, "authentication required"},
		{"refused credentials", WithAuthFailure(context.Background(), "API key abc is revoked"), RoleViewer, EUNAUTHENTICATED, "API key abc is revoked"},
		{"anonymous viewer reads", WithPrincipal(context.Background(), Anonymous), RoleViewer, "", ""},
		{"anonymous viewer reads no people", WithPrincipal(context.Background(), Anonymous), RolePersonnel, EFORBIDDEN, "the personnel role is required; anonymous has viewer"},
		{"editor edits", WithPrincipal(context.Background(), editor), RoleEditor, "", ""},
		{"editor views", WithPrincipal(context.Background(), editor), RoleViewer, "", ""},
		{"editor reads no people", WithPrincipal(context.Background(), editor), RolePersonnel, EFORBIDDEN, "catalogue sync has editor"},
		{"a user without roles", WithPrincipal(context.Background(), nobody), RoleViewer, EFORBIDDEN, "Dana has no role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Authorize(tt.ctx, tt.role)
			if ErrorCode(err) != tt.code || (tt.msg != "" && !strings.Contains(ErrorMessage(err), tt.msg)) {
				t.Errorf("Authorize = %v (code %q), want code %q with %q", err, ErrorCode(err), tt.code, tt.msg)
			}
		})
	}
}
