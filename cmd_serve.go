package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"cmap/analysis"
	"cmap/app"
	"cmap/diag"
	"cmap/graph"
	"cmap/mongodb"
	"cmap/seed"
	"cmap/web"
)

// Time limits of the HTTP server.
const (
	shutdownTimeout   = 15 * time.Second // for in-flight requests to finish
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	readyTimeout      = 3 * time.Second // for /readyz's ping
)

// serveConfig is the configuration of `cmap serve`.
type serveConfig struct {
	// Addr is the address to listen on, host:port; port 0 picks a free one.
	Addr string
	// DataDir holds the embedded database; unused with MongoURI.
	DataDir string
	// MongoURI names a MongoDB server; empty starts the embedded FerretDB.
	MongoURI string
	// RulesDir holds the rule files.
	RulesDir string
	// SeedsDir holds the competency model and sample catalogue that seed
	// an empty database.
	SeedsDir string
	// WatchRules reloads the rules when their files change.
	WatchRules bool
	// Poll is how often the database is asked whether another instance
	// wrote; 0 turns polling off.
	Poll time.Duration
}

// serveEnv names the environment variable of each flag of serve.
var serveEnv = []struct{ flag, env string }{
	{"addr", "CMAP_ADDR"},
	{"data", "CMAP_DATA"},
	{"mongo-uri", "CMAP_MONGO_URI"},
	{"rules", "CMAP_RULES"},
	{"seeds", "CMAP_SEEDS"},
	{"watch-rules", "CMAP_WATCH_RULES"},
	{"poll", "CMAP_POLL"},
}

// parseServeFlags reads serve's configuration from args and, for the
// flags args leave out, from the environment (getenv).
func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	var c serveConfig
	fs := flag.NewFlagSet("cmap serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "listen on `host:port` ($CMAP_ADDR)")
	c.addStateFlags(fs)
	fs.BoolVar(&c.WatchRules, "watch-rules", true, "reload the rules when their files change ($CMAP_WATCH_RULES)")
	fs.DurationVar(&c.Poll, "poll", app.DefaultPollInterval, "check the database for other instances' writes every `INTERVAL`; 0 turns it off ($CMAP_POLL)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: cmap [serve] [flags]

Serves the GraphQL API at /graphql, its explorer at /, and /healthz and
/readyz. Without --mongo-uri it starts an embedded database in --data and
logs its URI, so that a second instance can share it with --mongo-uri.
An empty database is seeded from --seeds. A flag wins over its environment
variable. SIGINT or SIGTERM stop the server after in-flight requests.

The rules in --rules must load without error at start (each problem is
printed as file:line:col, and serve exits 1). Afterwards they are reloaded
when their files change (--watch-rules) or by the reloadRules mutation: a
set with any error is rejected and the serving set stays, the API shows
the errors in ruleSet.rejected. Instances sharing a database see each
other's writes within --poll.

Examples:
  cmap
  cmap serve --addr 127.0.0.1:9090 --data /var/lib/cmap
  cmap serve --rules ./rules --watch-rules=false
  CMAP_MONGO_URI=mongodb://127.0.0.1:27017/ cmap serve

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cmap serve: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return c, errors.New("unexpected arguments")
	}
	if err := flagsFromEnv(fs, getenv); err != nil {
		fmt.Fprintf(stderr, "cmap serve: %v\n", err)
		return c, err
	}
	return c, nil
}

// addStateFlags defines the flags that say where the state comes from:
// the database, the rules and the seeds. Every verb that builds the state
// as serve does (serve, export) shares them.
func (c *serveConfig) addStateFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", "./data", "keep the embedded database in `DIR` ($CMAP_DATA)")
	fs.StringVar(&c.MongoURI, "mongo-uri", "", "use the MongoDB at `URI` instead of the embedded database ($CMAP_MONGO_URI)")
	fs.StringVar(&c.RulesDir, "rules", "rules", "read rule files from `DIR` ($CMAP_RULES)")
	fs.StringVar(&c.SeedsDir, "seeds", "seeds", "seed an empty database from `DIR` ($CMAP_SEEDS)")
}

// flagsFromEnv sets each flag of fs that the command line left out from
// its environment variable in serveEnv, when that variable is not empty.
// Variables of flags fs does not define are ignored.
func flagsFromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, fe := range serveEnv {
		if fs.Lookup(fe.flag) == nil {
			continue
		}
		if v := getenv(fe.env); v != "" && !given[fe.flag] {
			if err := fs.Set(fe.flag, v); err != nil {
				return fmt.Errorf("%s=%q: %w", fe.env, v, err)
			}
		}
	}
	return nil
}

// runServe runs `cmap serve` until ctx is cancelled.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseServeFlags(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	s, err := startServer(ctx, cfg, logger)
	if diags := diag.AsList(err); len(diags) > 0 {
		logger.Error("cmap serve failed to start: the rules have errors", "rules", cfg.RulesDir, "errors", len(diags))
		fmt.Fprintln(stderr, diags.Error())
		return exitFail
	}
	if err != nil {
		logger.Error("cmap serve failed to start", "error", err)
		return exitFail
	}
	code := exitOK
	select {
	case <-ctx.Done():
		logger.Info("stopping: finishing in-flight requests", "timeout", shutdownTimeout)
	case err := <-s.failed:
		logger.Error("HTTP server failed", "error", err)
		code = exitFail
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := s.Close(shutdownCtx); err != nil {
		logger.Error("stopping", "error", err)
		return exitFail
	}
	logger.Info("stopped")
	return code
}

// server is a running cmap: its database, App and HTTP server.
type server struct {
	logger   *slog.Logger
	db       *mongodb.DB
	app      *app.App
	http     *http.Server
	listener net.Listener
	failed   chan error // receives the error if serving stops on its own
}

// startServer opens the database (starting the embedded one without a
// URI), seeds it if it was never seeded, and serves HTTP on cfg.Addr in
// the background. Close stops it.
func startServer(ctx context.Context, cfg serveConfig, logger *slog.Logger) (*server, error) {
	db, a, err := openState(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	s := &server{logger: logger, db: db, app: a, failed: make(chan error, 1)}
	s.listener, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("listening: %w", err), s.app.Close(), db.Close(ctx))
	}
	s.http = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := s.http.Serve(s.listener); !errors.Is(err, http.ErrServerClosed) {
			s.failed <- err
		}
	}()
	logger.Info("serving", "graphql", s.URL()+"/graphql", "explorer", s.URL()+"/", "rules", cfg.RulesDir)
	return s, nil
}

// openState opens the database (starting the embedded one without a
// URI), seeds it if it was never seeded, and opens an App on it that
// derives the state from cfg's rules. The caller closes both.
func openState(ctx context.Context, cfg serveConfig, logger *slog.Logger) (*mongodb.DB, *app.App, error) {
	db, err := mongodb.Open(ctx, mongodb.Config{URI: cfg.MongoURI, DataDir: cfg.DataDir, Logger: logger})
	if err != nil {
		return nil, nil, fmt.Errorf("opening the database: %w", err)
	}
	if db.Embedded() {
		logger.Info("embedded database started; share it with a second instance by --mongo-uri", "uri", db.URI(), "data", cfg.DataDir)
	} else {
		logger.Info("connected to MongoDB", "uri", db.URI())
	}
	if err := seedOnce(ctx, db, cfg.SeedsDir, logger); err != nil {
		return nil, nil, errors.Join(err, db.Close(ctx))
	}
	poll := cfg.Poll
	if poll <= 0 {
		poll = -1 // app.Options: a negative interval turns polling off
	}
	a, err := app.Open(ctx, db, app.Options{Logger: logger, RulesDir: cfg.RulesDir, WatchRules: cfg.WatchRules, PollInterval: poll})
	if err != nil {
		return nil, nil, errors.Join(fmt.Errorf("loading the rules from %s: %w", cfg.RulesDir, err), db.Close(ctx))
	}
	return db, a, nil
}

// seedOnce loads the seeds folder into the database on its first start. A
// database seeded before is left alone, and the folder is not read.
func seedOnce(ctx context.Context, db *mongodb.DB, dir string, logger *slog.Logger) error {
	seeded, err := db.SeededWith(ctx)
	if err != nil {
		return fmt.Errorf("reading the seeding state: %w", err)
	}
	if seeded != "" {
		logger.Info("database already seeded", "with", seeded)
		return nil
	}
	ds, err := seed.Load(dir)
	if err != nil {
		return fmt.Errorf("loading the seeds: %w", err)
	}
	res, err := seed.Apply(ctx, db, ds)
	if err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	logger.Info("database seeded", "with", res.SeededWith, "framework", res.FrameworkStored,
		"courses", res.Courses.Created, "positions", res.Positions.Created, "people", res.People.Created)
	return nil
}

// URL returns the server's base URL, e.g. "http://127.0.0.1:8080".
func (s *server) URL() string { return "http://" + s.listener.Addr().String() }

// Close stops accepting requests, waits for in-flight ones to finish (until
// ctx ends), stops the App's polling and rule watching, then closes the
// database, stopping the embedded one.
func (s *server) Close(ctx context.Context) error {
	httpErr := s.http.Shutdown(ctx)
	if httpErr != nil {
		httpErr = fmt.Errorf("HTTP shutdown: %w", httpErr)
	}
	return errors.Join(httpErr, s.app.Close(), s.db.Close(ctx))
}

// routes returns the HTTP routes: the GraphQL endpoint, its explorer, the
// coverage map page, the file exports and the health checks.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewHandler(s.app)) // it limits the body itself (413 over graph.MaxRequestBytes)
	mux.Handle("/", web.Explorer())
	coverage := web.Coverage()
	mux.Handle(web.CoveragePath, coverage)
	mux.Handle(web.CoveragePath+"/", coverage)
	mux.Handle(web.ExportsPath, web.Exports(func() *analysis.Index { return s.app.View().Index() }))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", s.ready)
	return s.logRequests(mux)
}

// ready answers 200 "ready" when the database answers a ping, and 503
// "not ready" otherwise. The cause is logged, never sent: the database's
// error names hosts and addresses.
func (s *server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.app.Ping(ctx); err != nil {
		s.logger.Warn("not ready: the database does not answer", "error", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "not ready\n")
		return
	}
	io.WriteString(w, "ready\n")
}

// logRequests logs each request with its status and duration.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
	})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
