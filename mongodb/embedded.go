package mongodb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/FerretDB/FerretDB/build/version"
	"github.com/FerretDB/FerretDB/ferretdb"
)

// ferretDBModule is the module path of the embedded FerretDB.
const ferretDBModule = "github.com/FerretDB/FerretDB"

var stampVersion sync.Once

// stampFerretDBVersion sets the version an embedded FerretDB reports in
// buildInfo. FerretDB stamps it only in its own builds and says "unknown"
// when embedded; the module version this binary was built with is the
// true one.
func stampFerretDBVersion() {
	stampVersion.Do(func() {
		bi, ok := debug.ReadBuildInfo()
		if !ok {
			return
		}
		for _, dep := range bi.Deps {
			if dep.Path == ferretDBModule {
				version.Get().Version = dep.Version
			}
		}
	})
}

// embeddedServer is a FerretDB running in this process, listening on a
// Unix socket in the private folder of its data folder (see lockFolder):
// no TCP port, so only processes of the user cmap runs as reach it.
type embeddedServer struct {
	uri    string
	dir    string // the folder of its SQLite files
	lock   *folderLock
	cancel context.CancelFunc
	done   chan struct{} // closed when Run has returned and SQLite is closed
}

// startEmbedded takes the lock of dataDir (created if missing, mode 0700)
// for owner (see lockFolder) and starts FerretDB with its SQLite files
// there, listening on the Unix socket of the folder's private folder.
// FerretDB logs at Warn and above go to logger (see ferretLogHandler).
func startEmbedded(ctx context.Context, dataDir, owner string, logger *slog.Logger) (*embeddedServer, error) {
	if dataDir == "" {
		return nil, fmt.Errorf("mongodb: no data folder for the embedded database (give a data folder or a MongoDB URI)")
	}
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("mongodb: data folder %s: %w", dataDir, err)
	}
	socket, err := socketPath(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mongodb: cannot create data folder: %w", err)
	}
	probe, err := os.CreateTemp(dir, ".cmap-write-test-*")
	if err != nil {
		return nil, fmt.Errorf("mongodb: data folder %s is not writable: %w", dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	lock, err := lockFolder(dir, owner)
	if err != nil {
		return nil, err
	}
	// The lock is ours: a socket left there belongs to a process that died.
	if err := os.Remove(socket); err != nil && !errors.Is(err, fs.ErrNotExist) {
		lock.unlock()
		return nil, fmt.Errorf("mongodb: removing the socket a previous run left: %w", err)
	}

	stampFerretDBVersion()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: socket},
		Logger:    slog.New(ferretLogHandler{min: slog.LevelWarn, next: logger.Handler()}).With("component", "ferretdb"),
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(dir) + "/",
	})
	if err != nil {
		lock.unlock()
		return nil, fmt.Errorf("mongodb: starting embedded FerretDB in %s: %w", dir, err)
	}
	// The server outlives the ctx of Open: it stops on Close.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	srv := &embeddedServer{uri: socketURI(socket), dir: dir, lock: lock, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(srv.done)
		if err := f.Run(runCtx); err != nil {
			logger.Error("embedded FerretDB stopped", "err", err)
		}
	}()
	return srv, nil
}

// stop stops the server, waits until it has closed its files and
// releases the folder's lock.
func (s *embeddedServer) stop() {
	s.cancel()
	<-s.done
	s.lock.unlock()
}

// ferretLogHandler passes FerretDB's log records at or above min to next,
// except its Warn-level dumps of every command that failed ("Response
// header: ..." and "Response message: ..."): cmap expects and handles those
// failures (a duplicate key on a create that conflicts, endSessions on
// every disconnect) and reports them in its own words.
type ferretLogHandler struct {
	min  slog.Level
	next slog.Handler
}

func (h ferretLogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.next.Enabled(ctx, l)
}

func (h ferretLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelError &&
		(strings.HasPrefix(r.Message, "Response header: ") || strings.HasPrefix(r.Message, "Response message:")) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h ferretLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return ferretLogHandler{min: h.min, next: h.next.WithAttrs(attrs)}
}

func (h ferretLogHandler) WithGroup(name string) slog.Handler {
	return ferretLogHandler{min: h.min, next: h.next.WithGroup(name)}
}
