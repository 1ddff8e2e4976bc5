package mongodb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The embedded FerretDB's logs reach the given logger at Warn and above,
// without its dumps of failed commands that cmap handles itself.
func TestEmbeddedLogsAreQuiet(t *testing.T) {
	ctx := context.Background()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db, err := Open(ctx, Config{DataDir: t.TempDir(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSeeded(ctx, "sample"); err != nil {
		t.Fatal(err)
	}
	// A failing command: FerretDB dumps its response at Warn.
	if err := db.database.RunCommand(ctx, map[string]int{"noSuchCommand": 1}).Err(); err == nil {
		t.Fatal("an unknown command succeeded")
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Errorf("FerretDB logged:\n%s", buf.String())
	}

	h := ferretLogHandler{min: slog.LevelWarn, next: logger.Handler()}
	slog.New(h).Warn("Failed to accept connection")
	slog.New(h).Info("Accepted connection")
	if got := buf.String(); !strings.Contains(got, "Failed to accept connection") || strings.Contains(got, "Accepted") {
		t.Errorf("handler passed:\n%s", got)
	}
}

func TestRedact(t *testing.T) {
	tests := map[string]string{
		"mongodb://127.0.0.1:27017/":                       "mongodb://127.0.0.1:27017/",
		"mongodb://cmap:s3cret@db.example:27017/?tls=true": "mongodb://cmap:xxxxx@db.example:27017/?tls=true",
		"mongodb://cmap@db.example/":                       "mongodb://cmap@db.example/",
	}
	for in, want := range tests {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// The embedded server listens on a Unix socket in a folder only its user
// can enter, and on no TCP port; the URI it gives names the socket.
func TestEmbeddedListensOnAPrivateSocketOnly(t *testing.T) {
	before := listeningTCPSockets(t)
	dir := t.TempDir()
	db := openEmbeddedAt(t, dir)
	run := filepath.Join(dir, runFolder)
	fi, err := os.Stat(run)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("%s has mode %v, want 0700", run, fi.Mode().Perm())
	}
	sock := filepath.Join(run, socketName)
	if fi, err := os.Stat(sock); err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Errorf("no socket at %s: %v", sock, err)
	}
	if want := "mongodb://" + url.QueryEscape(sock) + "/"; db.URI() != want {
		t.Errorf("URI() = %q, want %q", db.URI(), want)
	}
	if opened := listeningTCPSockets(t) - before; opened != 0 {
		t.Errorf("the embedded server opened %d TCP listening sockets", opened)
	}
	// The URI serves a second client, as --mongo-uri and mongotest use it.
	other := reopen(t, db)
	if err := other.Ping(context.Background()); err != nil {
		t.Error(err)
	}
}

// listeningTCPSockets counts this process's listening TCP sockets (Linux:
// the inodes of /proc/net/tcp{,6} in state LISTEN among its open files).
func listeningTCPSockets(t *testing.T) int {
	t.Helper()
	listening := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) > 9 && fields[3] == "0A" { // TCP_LISTEN
				listening["socket:["+fields[9]+"]"] = true
			}
		}
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc to read sockets from: %v", err)
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && listening[target] {
			n++
		}
	}
	return n
}

// One process at a time runs the embedded server of a data folder: a
// second is refused, told who holds it and the URI to share instead.
func TestADataFolderHasOneEmbeddedServer(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(context.Background(), Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	second, err := Open(context.Background(), Config{DataDir: dir})
	if err == nil {
		second.Close(context.Background())
		t.Fatal("a second embedded server started on the same data folder")
	}
	want := fmt.Sprintf("the data folder %s is in use: another process (pid %d) runs its embedded database; stop it, or share that database with --mongo-uri %s", dir, os.Getpid(), first.URI())
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q\ndoes not say %q", err, want)
	}
	first.Close(context.Background())
	again, err := Open(context.Background(), Config{DataDir: dir})
	if err != nil {
		t.Fatalf("after the first server closed: %v", err)
	}
	again.Close(context.Background())
}

// A data folder whose socket path would not fit in a Unix socket address
// is refused with the limit, before anything is made.
func TestADataFolderTooDeepForASocketIsRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", maxSocketPath))
	_, err := Open(context.Background(), Config{DataDir: dir})
	if err == nil || !strings.Contains(err.Error(), "the data folder's path is too long for the embedded database's socket") ||
		!strings.Contains(err.Error(), fmt.Sprintf("at most %d", maxSocketPath)) {
		t.Errorf("Open on a %d-byte path: %v", len(dir), err)
	}
	if _, statErr := os.Stat(dir); statErr == nil {
		t.Error("the data folder was made although the server cannot start")
	}
}
