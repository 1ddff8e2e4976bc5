package main

import (
	"cmap/domain"
	"cmap/export"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"cmap/analysis"
	"cmap/app"
	"cmap/auth"
	"cmap/diag"
	"cmap/graph"
	"cmap/metrics"
	"cmap/modelfile"
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
	// ModelOnly seeds an empty database with the competency model of
	// SeedsDir and none of its sample records (cmap import, which brings
	// its own).
	ModelOnly bool
	// WatchRules reloads the rules when their files change.
	WatchRules bool
	// Poll is how often the database is asked whether another instance
	// wrote; 0 turns polling off.
	Poll time.Duration
	// Anonymous is what a request without credentials may do: "viewer"
	// (read what the viewer role reads) or "none"; "" means viewer when
	// the server listens on a loopback address and none otherwise.
	Anonymous string
	// JWT says which tokens of the identity provider to accept; none when
	// JWT.JWKS is empty.
	JWT auth.JWTConfig
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
	{"anonymous", "CMAP_ANONYMOUS"},
	{"jwt-jwks", "CMAP_JWT_JWKS"},
	{"jwt-issuer", "CMAP_JWT_ISSUER"},
	{"jwt-audience", "CMAP_JWT_AUDIENCE"},
	{"jwt-roles-claim", "CMAP_JWT_ROLES_CLAIM"},
}

// parseServeFlags reads serve's configuration from args and, for the
// flags args leave out, from the environment (getenv). When ok is false
// serve stops with code: help was asked for (0) or the command line is
// wrong (2).
func parseServeFlags(args []string, getenv func(string) string, stdout, stderr io.Writer) (c serveConfig, code int, ok bool) {
	fs := flag.NewFlagSet("cmap serve", flag.ContinueOnError)
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "listen on `host:port`; port 0 picks a free one ($CMAP_ADDR)")
	c.addStateFlags(fs)
	fs.BoolVar(&c.WatchRules, "watch-rules", true, "reload the rules when their files change ($CMAP_WATCH_RULES)")
	fs.DurationVar(&c.Poll, "poll", app.DefaultPollInterval, "check the database for other instances' writes every `INTERVAL`; 0 turns it off ($CMAP_POLL)")
	fs.StringVar(&c.Anonymous, "anonymous", "", "what a request without credentials may do, `MODE` viewer (read as a viewer) or none; default: viewer on a loopback --addr, none otherwise ($CMAP_ANONYMOUS)")
	fs.StringVar(&c.JWT.JWKS, "jwt-jwks", "", "accept tokens of the identity provider whose key set is at `URL or FILE` ($CMAP_JWT_JWKS)")
	fs.StringVar(&c.JWT.Issuer, "jwt-issuer", "", "the tokens' issuer (iss), required with --jwt-jwks ($CMAP_JWT_ISSUER)")
	fs.StringVar(&c.JWT.Audience, "jwt-audience", "", "the tokens' audience (aud), required with --jwt-jwks ($CMAP_JWT_AUDIENCE)")
	fs.StringVar(&c.JWT.RolesClaim, "jwt-roles-claim", auth.DefaultRolesClaim, "the claim of the tokens that lists cmap roles; a dotted `NAME` reaches into objects ($CMAP_JWT_ROLES_CLAIM)")
	setUsage(fs, `Usage: cmap [serve] [flags]

Serves, on --addr:
  /                  the GraphQL explorer
  /graphql           the GraphQL API (GET and POST)
  /coverage          the coverage map (sub-competencies x courses)
  /export/FILE       coverage, gaps, demand, readiness, courses,
                     positions, people, completions as .csv, .xlsx or
                     .json; the catalogue as .xlsx or .json
  /ims/case/v1p1/    CASE 1.1 (read-only): CFDocuments, CFPackages/ID,
                     CFItems/ID, CFAssociations/ID; the model, its scale
                     and the courses' coverage
  /schema/FILE       JSON Schemas of rule files (rules.json), rule
                     tests (rule-tests.json) and the scale (scale.json),
                     for editors
  /healthz, /readyz  alive; ready (the database answers)
  /metrics           Prometheus metrics: GraphQL requests, rule reloads,
                     rebuilds, database calls, the Go runtime

Start-up binds --addr first, then opens the database: without --mongo-uri
it starts an embedded one in --data, listening on a Unix socket there
that only this user can reach (no TCP port), and logs its URI, so that a
second instance can share it with --mongo-uri; one process at a time
runs the database of a data folder. A database never seeded is seeded
from --seeds. The records are read from a snapshot file in --data when it
is still the database's, or only a few writes behind that the database's
change log names (after a crash), and from the database otherwise. The
rules in --rules must then load without error (each problem is printed
as file:line:col). Any of these failing stops serve with exit 1 and a
message naming the step. A flag wins over its environment variable.
SIGINT or SIGTERM stop the server after in-flight requests, and write the
snapshot file.

Afterwards the rules are reloaded when their files change (--watch-rules)
or by the reloadRules mutation: a set with any error is rejected and the
serving set stays, the API shows the errors in ruleSet.rejected.
Instances sharing a database see each other's writes within --poll.

Requests authenticate with "Authorization: Bearer <credential>": an API
key (see 'cmap help keys'), or a token of the identity provider named by
--jwt-jwks, checked for --jwt-issuer and --jwt-audience, whose
--jwt-roles-claim lists the caller's roles. The first start on a database
without API keys makes an admin key and prints it on standard output,
once. Requests without credentials read as viewers when --anonymous is
viewer, which is the default only on a loopback --addr.

Examples:
  cmap
  cmap serve --addr 127.0.0.1:9090 --watch-rules=false
  CMAP_MONGO_URI=mongodb://127.0.0.1:27017/ cmap serve --addr 127.0.0.1:9091
`)
	pos, code, ok := parseFlags(fs, args, stdout, stderr)
	if !ok {
		return c, code, false
	}
	if len(pos) > 0 {
		return c, usageError(fs, stderr, "unexpected argument %q", pos[0]), false
	}
	if err := flagsFromEnv(fs, getenv); err != nil {
		return c, usageError(fs, stderr, "%v", err), false
	}
	switch {
	case c.Anonymous != "" && c.Anonymous != "none" && c.Anonymous != "viewer":
		return c, usageError(fs, stderr, "--anonymous must be none or viewer, not %q", c.Anonymous), false
	case c.JWT.JWKS == "" && (c.JWT.Issuer != "" || c.JWT.Audience != ""):
		return c, usageError(fs, stderr, "--jwt-issuer and --jwt-audience need --jwt-jwks, the identity provider's key set"), false
	case c.JWT.JWKS != "" && (c.JWT.Issuer == "" || c.JWT.Audience == ""):
		return c, usageError(fs, stderr, "--jwt-jwks needs --jwt-issuer and --jwt-audience: without them tokens of any issuer, or meant for other services, would be accepted"), false
	}
	return c, exitOK, true
}

// addStateFlags defines the flags that say where the state comes from:
// the database, the rules and the seeds. Every verb that builds the state
// as serve does (serve, export) shares them.
func (c *serveConfig) addStateFlags(fs *flag.FlagSet) {
	addDatabaseFlags(fs, &c.DataDir, &c.MongoURI, "keep the embedded database and the snapshot of its records in `DIR` ($CMAP_DATA)")
	fs.StringVar(&c.RulesDir, "rules", "rules", "read rule files from `DIR` ($CMAP_RULES)")
	fs.StringVar(&c.SeedsDir, "seeds", "seeds", "seed an empty database from `DIR` ($CMAP_SEEDS)")
}

// addDatabaseFlags defines the flags that say which database to use: the
// embedded one in --data (described by dataUsage), or the MongoDB at
// --mongo-uri.
func addDatabaseFlags(fs *flag.FlagSet, dataDir, mongoURI *string, dataUsage string) {
	fs.StringVar(dataDir, "data", "./data", dataUsage)
	fs.StringVar(mongoURI, "mongo-uri", "", "use the MongoDB at `URI` instead of the embedded database ($CMAP_MONGO_URI)")
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
	cfg, code, ok := parseServeFlags(args, os.Getenv, stdout, stderr)
	if !ok {
		return code
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	s, err := startServer(ctx, cfg, logger)
	if err != nil {
		logStartError(logger, stderr, err)
		return exitFail
	}
	if s.firstKey != "" {
		printFirstKey(stdout, s.firstKey)
	}
	code = exitOK
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

// startError is a failure of one step of start-up: what failed (listening,
// the data folder, the database, the seeds, the competency model, seeding,
// the rules) and why.
type startError struct {
	// what names the step and its input: "the rules in ./rules".
	what string
	err  error
}

// Error returns what failed and why; problems in files follow on their
// own lines as file:line:col diagnostics.
func (e *startError) Error() string {
	if l := diag.AsList(e.err); l != nil {
		return e.summary() + ":\n" + l.Error()
	}
	return e.summary()
}

// summary is the first line of Error: for problems in files, their number.
func (e *startError) summary() string {
	if l := diag.AsList(e.err); l != nil {
		noun := "errors"
		if len(l) == 1 {
			noun = "error"
		}
		return fmt.Sprintf("%s: %d %s", e.what, len(l), noun)
	}
	return e.what + ": " + e.err.Error()
}

func (e *startError) Unwrap() error { return e.err }

// logStartError logs why serve could not start, then prints the problems
// in files, if any, one diagnostic per line.
func logStartError(logger *slog.Logger, stderr io.Writer, err error) {
	se, ok := errors.AsType[*startError](err)
	if !ok {
		logger.Error("cmap serve failed to start", "error", err)
		return
	}
	logger.Error("cmap serve failed to start: " + se.summary())
	if l := diag.AsList(se.err); l != nil {
		printDiagnostics(stderr, l)
	}
}

// printFirstKey prints the first admin key, which is shown this once.
func printFirstKey(w io.Writer, token string) {
	fmt.Fprintf(w, `cmap: this database had no API key, so cmap made the first admin key.
It is shown this once and never again: store it now.

    %s

Send it as "Authorization: Bearer <key>" (the explorer's Headers tab, the
coverage map's key field). Make keys for people and services with it
(createAPIKey, or cmap keys create), then revoke it: cmap keys revoke %s
`, token, app.FirstAdminKeyID)
}

// server is a running cmap: its database, App and HTTP server.
type server struct {
	logger   *slog.Logger
	db       *mongodb.DB
	app      *app.App
	metrics  *metrics.Metrics
	http     *http.Server
	listener net.Listener
	// auth authenticates requests; stopAuth stops refreshing the identity
	// provider's keys.
	auth     auth.Config
	stopAuth context.CancelFunc
	// firstKey is the token of the first admin key when this start made
	// it, "" otherwise.
	firstKey string
	// handler serves the routes once the state is open, and until then
	// answers that the server is starting.
	handler atomic.Pointer[http.Handler]
	failed  chan error // receives the error if serving stops on its own
}

// startServer listens on cfg.Addr, then opens the database (starting the
// embedded one without a URI), seeds it if it was never seeded, loads the
// rules and serves HTTP in the background. The address is bound first, so
// that an address in use fails at once; until the state is open, requests
// get 503 (and /healthz 200). A step that fails is a *startError naming
// it. Close stops the server.
func startServer(ctx context.Context, cfg serveConfig, logger *slog.Logger) (*server, error) {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		if opErr, ok := errors.AsType[*net.OpError](err); ok {
			err = opErr.Err // "bind: address already in use", without the address again
		}
		return nil, &startError{what: "listening on " + cfg.Addr, err: err}
	}
	s := &server{logger: logger, listener: ln, metrics: metrics.New(), failed: make(chan error, 1)}
	var starting http.Handler = http.HandlerFunc(startingUp)
	s.handler.Store(&starting)
	s.http = &http.Server{
		Handler: s.logRequests(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			(*s.handler.Load()).ServeHTTP(w, r)
		})),
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
	logger.Info("listening; opening the database", "addr", s.URL())

	authCtx, stopAuth := context.WithCancel(context.WithoutCancel(ctx))
	s.stopAuth = stopAuth
	s.auth = auth.Config{Anonymous: anonymousAllowed(cfg.Anonymous, ln.Addr()), Logger: logger}
	if cfg.JWT.JWKS != "" {
		if s.auth.JWT, err = auth.NewJWTVerifier(authCtx, cfg.JWT, logger); err != nil {
			stopAuth()
			return nil, errors.Join(&startError{what: "the identity provider's key set " + cfg.JWT.JWKS, err: err}, s.http.Close())
		}
	}
	s.db, s.app, err = openState(ctx, cfg, logger, s.metrics)
	if err != nil {
		stopAuth()
		return nil, errors.Join(err, s.http.Close())
	}
	s.auth.Keys = s.app.Keys()
	if s.firstKey, err = s.app.Keys().Bootstrap(ctx); err != nil {
		stopAuth()
		return nil, errors.Join(&startError{what: "the database (making the first admin key)", err: err}, s.app.Close(), s.db.Close(ctx), s.http.Close())
	}
	if s.firstKey != "" {
		logger.Warn("made the first admin API key "+app.FirstAdminKeyID+"; it is printed on standard output, this once", "id", app.FirstAdminKeyID)
	}
	anonymous := "none"
	if s.auth.Anonymous {
		anonymous = "viewer"
	}
	logger.Info("authentication", "api_keys", true, "identity_provider", cfg.JWT.JWKS, "anonymous", anonymous)
	routes := s.routes()
	s.handler.Store(&routes)
	logger.Info("serving", "graphql", s.URL()+"/graphql", "explorer", s.URL()+"/", "rules", cfg.RulesDir)
	return s, nil
}

// startingUp answers requests that come while the server starts: 200 for
// /healthz (the process is alive), 503 with Retry-After for the rest.
func startingUp(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if r.URL.Path == "/healthz" {
		io.WriteString(w, "ok\n")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Retry-After", "5")
	w.WriteHeader(http.StatusServiceUnavailable)
	io.WriteString(w, "not ready: cmap is starting (opening the database, seeding it on the first start, loading the rules)\n")
}

// openState opens the database (see openDatabase) and an App on it that
// derives the state from cfg's rules, observed by m (nil: no metrics).
// The caller closes both. A step that fails is a *startError naming it.
func openState(ctx context.Context, cfg serveConfig, logger *slog.Logger, m *metrics.Metrics) (*mongodb.DB, *app.App, error) {
	db, _, err := openDatabase(ctx, cfg, logger)
	if err != nil {
		return nil, nil, err
	}
	poll := cfg.Poll
	if poll <= 0 {
		poll = -1 // app.Options: a negative interval turns polling off
	}
	var store domain.Store = db
	opts := app.Options{Logger: logger, RulesDir: cfg.RulesDir, WatchRules: cfg.WatchRules, PollInterval: poll,
		SnapshotFile: snapshotFile(cfg.DataDir, logger)}
	if m != nil {
		store, opts.Observer = m.Store(db), m
	}
	a, err := app.Open(ctx, store, opts)
	if err != nil {
		// The framework is there: app.Open's invalid input is the rules
		// (their files, their folder, watching it); anything else is the
		// database failing while the records are read and the facts stored.
		what := "the rules in " + cfg.RulesDir + missingFolderHint(cfg.RulesDir)
		if domain.ErrorCode(err) != domain.EINVALID {
			what = "the database"
		}
		return nil, nil, errors.Join(&startError{what: what, err: rulesCause(err)}, db.Close(ctx))
	}
	return db, a, nil
}

// openDatabase opens the database of cfg (starting the embedded one
// without a URI), seeds it if it was never seeded, and returns it with its
// competency model. The caller closes it. A step that fails is a
// *startError naming it.
func openDatabase(ctx context.Context, cfg serveConfig, logger *slog.Logger) (*mongodb.DB, *domain.Framework, error) {
	if cfg.MongoURI == "" && cfg.DataDir == "" {
		return nil, nil, &startError{what: "the data folder", err: errors.New("none given: name one with --data, or a MongoDB with --mongo-uri")}
	}
	db, err := mongodb.Open(ctx, mongodb.Config{URI: cfg.MongoURI, DataDir: cfg.DataDir, Logger: logger})
	if err != nil {
		if _, ok := errors.AsType[*fs.PathError](err); ok && cfg.MongoURI == "" {
			return nil, nil, &startError{what: "the data folder " + cfg.DataDir, err: err}
		}
		return nil, nil, &startError{what: "the database", err: err}
	}
	if db.Embedded() {
		logger.Info("embedded database started; share it with a second instance by --mongo-uri", "uri", db.URI(), "data", cfg.DataDir)
	} else {
		logger.Info("connected to MongoDB", "uri", db.URI())
	}
	if err := seedOnce(ctx, db, cfg.SeedsDir, cfg.ModelOnly, logger); err != nil {
		return nil, nil, errors.Join(err, db.Close(ctx))
	}
	// The model comes from the database: say so when it is missing, rather
	// than as a failure of the rules that are checked against it.
	fw, err := db.Framework(ctx)
	if err != nil {
		what := "the database"
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			what, err = "the competency model", errors.New("the database holds none: start on an empty database, which is seeded from --seeds")
		}
		return nil, nil, errors.Join(&startError{what: what, err: err}, db.Close(ctx))
	}
	return db, fw, nil
}

// rulesCause returns the diagnostics in err when it has some, so that they
// are printed one per line, and err otherwise.
func rulesCause(err error) error {
	if l := diag.AsList(err); l != nil {
		return l
	}
	return err
}

// snapshotFileName is the name of the App's snapshot file in the data
// folder (app.Options.SnapshotFile). The embedded FerretDB takes only
// files ending in .sqlite for databases.
const snapshotFileName = "cmap-read-model.snapshot"

// snapshotFile returns the path of the snapshot file in the data folder
// dir, creating the folder if needed (with --mongo-uri the embedded
// database has not); "" when there is no folder or it cannot be created,
// which runs without a snapshot file.
func snapshotFile(dir string, logger *slog.Logger) string {
	if dir == "" {
		return ""
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		logger.Warn("no snapshot file: every start reads the records from the database", "data", dir, "error", err)
		return ""
	}
	return filepath.Join(dir, snapshotFileName)
}

// seedOnce loads the seeds folder (with modelOnly, only its competency
// model) into the database on its first start. A
// database seeded before is left alone, and the folder is not read. A step
// that fails is a *startError naming it.
func seedOnce(ctx context.Context, db *mongodb.DB, dir string, modelOnly bool, logger *slog.Logger) error {
	seeded, err := db.SeededWith(ctx)
	if err != nil {
		return &startError{what: "the database (reading whether it was seeded)", err: err}
	}
	if seeded != "" {
		logger.Info("database already seeded", "with", seeded)
		return nil
	}
	logger.Info("seeding the empty database", "seeds", dir)
	ds, err := seed.Load(dir)
	if err != nil {
		return &startError{what: seedsWhat(dir, err), err: err}
	}
	if modelOnly {
		ds = &seed.Dataset{Name: "model-only:" + ds.Name, Framework: ds.Framework}
	}
	res, err := seed.Apply(ctx, db, ds)
	if err != nil {
		return &startError{what: "seeding the database from " + dir, err: err}
	}
	logger.Info("database seeded", "with", res.SeededWith, "framework", res.FrameworkStored,
		"courses", res.Courses.Created, "positions", res.Positions.Created, "people", res.People.Created)
	return nil
}

// missingFolderHint says where the rules and seeds are looked for when
// the folder dir does not exist, and "" otherwise: the first thing to try
// when cmap runs elsewhere than in its repository's folder.
func missingFolderHint(dir string) string {
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	return " (no such folder: run cmap in the folder that holds rules/ and seeds/, or name them with --rules and --seeds)"
}

// seedsWhat names what failed in the seeds folder dir: its competency
// model when every problem is in that file, the seeds otherwise.
func seedsWhat(dir string, err error) string {
	l := diag.AsList(err)
	model, findErr := modelfile.FindModelFile(dir)
	if l == nil || findErr != nil {
		return "the seeds in " + dir + missingFolderHint(dir)
	}
	for _, d := range l {
		if d.File != model {
			return "the seeds in " + dir
		}
	}
	return "the competency model " + model
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
	s.stopAuth()
	return errors.Join(httpErr, s.app.Close(), s.db.Close(ctx))
}

// anonymousAllowed reports whether requests without credentials read as
// viewers: setting "viewer" or "none", or "" for viewer exactly when addr
// is a loopback address (only this machine can reach the server).
func anonymousAllowed(setting string, addr net.Addr) bool {
	switch setting {
	case "viewer":
		return true
	case "none":
		return false
	}
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// routes returns the HTTP routes: the GraphQL endpoint, its explorer, the
// coverage map and rules pages, the file exports, the CASE 1.1 read
// endpoints (/ims/case/v1p1/), the health checks, the
// metrics and the schemas of rule files, each request with its principal
// (package auth). The GraphQL fields, the exports and CASE check roles; the
// pages are static files that read the API with the credentials their
// user gives them. /metrics is open to whoever
// reaches the address, as /healthz is.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	// The endpoint limits the body itself (413 over graph.MaxRequestBytes).
	mux.Handle("/graphql", graph.NewHandler(s.app, graph.WithObserver(s.metrics)))
	mux.Handle("/", web.Explorer())
	coverage := web.Coverage()
	mux.Handle(web.CoveragePath, coverage)
	mux.Handle(web.CoveragePath+"/", coverage)
	rules := web.Rules()
	mux.Handle(web.RulesPath, rules)
	mux.Handle(web.RulesPath+"/", rules)
	mux.Handle(web.ExportsPath, web.Exports(func() (*analysis.Index, export.RuleSet) {
		v := s.app.View()
		return v.Index(), v.RuleSet()
	}))
	mux.Handle(web.CASEPath, web.CASE(func() *analysis.Index { return s.app.View().Index() }))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", s.metrics.Handler())
	handleSchemas(mux)
	return s.auth.Middleware(mux)
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
