package mongodb

import (
	"bytes"
	"context"
	"log/slog"
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
