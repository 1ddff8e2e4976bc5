package main

import (
	"cmap/domain"
	"context"
	"encoding/json"
	"log/slog"
	"os/user"
	"strings"
	"testing"

	"cmap/app"
	"cmap/mongodb"
)

// TestKeysCommands makes, lists and revokes a key with cmap keys on a data
// folder, as an operator would, and checks that the token it printed is
// the one the database knows, and that every change names the operator.
func TestKeysCommands(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCmd(t, "keys", "create", "--data", dir, "--name", "readiness portal", "--role", "viewer,personnel", "--format", "json")
	if code != exitOK {
		t.Fatalf("create: exit %d\n%s", code, stderr)
	}
	var made jsonKey
	if err := json.Unmarshal([]byte(stdout), &made); err != nil {
		t.Fatalf("create --format json: %v\n%s", err, stdout)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	actor := "cli:" + u.Username
	if made.Token == "" || made.Name != "readiness portal" || strings.Join(made.Roles, ",") != "viewer,personnel" ||
		made.CreatedBy != actor || made.RevokedAt != nil {
		t.Errorf("made %+v", made)
	}

	code, stdout, stderr = runCmd(t, "keys", "create", "--data", dir, "--name", "sync", "--role", "editor")
	if code != exitOK || !strings.Contains(stdout, "Its token, shown this once:\n\n  cmap_") {
		t.Fatalf("create (text): exit %d\n%s%s", code, stdout, stderr)
	}

	code, stdout, stderr = runCmd(t, "keys", "list", "--data", dir)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != exitOK || len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("list: exit %d\n%s%s", code, stdout, stderr)
	}
	if row := lines[1] + lines[2]; !strings.Contains(row, made.ID) || !strings.Contains(row, "viewer,personnel") || !strings.Contains(row, actor) {
		t.Errorf("list does not show the key as made:\n%s", stdout)
	}
	if strings.Contains(stdout, made.Token) {
		t.Error("list shows a token")
	}

	code, stdout, stderr = runCmd(t, "keys", "revoke", "--data", dir, made.ID)
	if code != exitOK || !strings.Contains(stdout, "API key "+made.ID+" (readiness portal) is revoked since ") {
		t.Fatalf("revoke: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = runCmd(t, "keys", "revoke", "--data", dir, "nosuchkey")
	if code != exitFail || !strings.Contains(stderr, `cmap keys revoke: API key "nosuchkey" not found`) {
		t.Errorf("revoking an unknown key: exit %d, %q", code, stderr)
	}

	ctx := context.Background()
	db, err := mongodb.Open(ctx, mongodb.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	_, err = app.NewKeys(db, slog.New(slog.DiscardHandler)).Authenticate(ctx, made.Token)
	if domain.ErrorCode(err) != domain.EUNAUTHENTICATED || !strings.Contains(domain.ErrorMessage(err), "was revoked") {
		t.Errorf("the revoked key's token: %v", err)
	}
	log, err := db.AuditLog(ctx, domain.AuditFilter{Kind: domain.AuditAPIKey}, domain.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, e := range log.Items {
		if e.Actor != actor {
			t.Errorf("entry %s names %s, want %s", e.ID, e.Actor, actor)
		}
		ops = append(ops, e.Operation)
	}
	if strings.Join(ops, " ") != "revoke create create" {
		t.Errorf("the audit log of keys: %v", ops)
	}
}
