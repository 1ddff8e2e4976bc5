// Package app is cmap's application layer: the one place where the GraphQL
// resolvers and the command line read and write records. It holds the
// Store, checks what a single record's Validate cannot (references between
// records, stale versions), and caches what rarely changes (the competency
// framework).
//
// Every write goes through an App method, so that work that must follow a
// write (such as re-deriving rule facts) has a single place to live. Errors
// are *engine.Error values with the codes documented on each method.
package app

import (
	"context"
	"log/slog"
	"sync"

	"cmap/engine"
)

// Options configure an App; the zero value means defaults.
type Options struct {
	// Logger receives the App's logs; nil means slog.Default().
	Logger *slog.Logger
	// Scale is the proficiency scale; a scale without levels means
	// engine.DefaultScale().
	Scale engine.Scale
}

// App serves reads and writes of cmap's records. It is safe for concurrent
// use.
type App struct {
	store  engine.Store
	logger *slog.Logger
	scale  engine.Scale

	mu        sync.Mutex        // guards framework
	framework *engine.Framework // nil until first loaded
}

// New returns an App over store.
func New(store engine.Store, opts Options) *App {
	a := &App{store: store, logger: opts.Logger, scale: opts.Scale}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	if len(a.scale.Levels) == 0 {
		a.scale = engine.DefaultScale()
	}
	return a
}

// Logger returns the App's logger.
func (a *App) Logger() *slog.Logger { return a.logger }

// Scale returns the proficiency scale.
func (a *App) Scale() engine.Scale { return a.scale }

// Ping checks that the store answers.
func (a *App) Ping(ctx context.Context) error { return a.store.Ping(ctx) }

// Framework returns the competency framework: ENOTFOUND when none is
// stored. It is read from the store once and then served from memory; the
// caller must not modify it.
func (a *App) Framework(ctx context.Context) (*engine.Framework, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.framework != nil {
		return a.framework, nil
	}
	f, err := a.store.Framework(ctx)
	if err != nil {
		return nil, err
	}
	a.framework = f
	return f, nil
}

// PutFramework validates f and replaces the stored framework with it
// (EINVALID when f is malformed).
func (a *App) PutFramework(ctx context.Context, f *engine.Framework) error {
	if err := f.Validate(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.framework = nil
	return a.store.PutFramework(ctx, f)
}

// Competency returns the competency with code (ENOTFOUND when the
// framework has none).
func (a *App) Competency(ctx context.Context, code string) (*engine.Competency, error) {
	f, err := a.Framework(ctx)
	if err != nil {
		return nil, err
	}
	if c := f.Competency(code); c != nil {
		return c, nil
	}
	return nil, engine.NotFound("competency", code)
}

// SubCompetency returns the sub-competency with code and the competency it
// belongs to (ENOTFOUND when the framework has none).
func (a *App) SubCompetency(ctx context.Context, code string) (*engine.SubCompetency, *engine.Competency, error) {
	f, err := a.Framework(ctx)
	if err != nil {
		return nil, nil, err
	}
	if s := f.SubCompetency(code); s != nil {
		return s, f.Competency(engine.CompetencyOf(code)), nil
	}
	return nil, nil, engine.NotFound("sub-competency", code)
}
