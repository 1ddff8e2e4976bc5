package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"cmap/analysis"
	"cmap/engine"
	"cmap/export"
)

// exportConfig is the configuration of `cmap export`.
type exportConfig struct {
	// state says where the state comes from, as for serve (without
	// polling or watching: an export reads one state and exits).
	state    serveConfig
	kind     export.Kind
	format   export.Format
	output   string
	minLevel string
	status   string
	// overServedAbove is the gap report's threshold, 0 for the default.
	overServedAbove int
}

// parseExportFlags reads export's configuration from args and, for the
// store flags args leave out, from the environment (getenv).
func parseExportFlags(args []string, getenv func(string) string, stderr io.Writer) (exportConfig, error) {
	var c exportConfig
	fs := flag.NewFlagSet("cmap export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "csv", "write `csv` or json")
	fs.StringVar(&c.output, "o", "", "write to `FILE` instead of standard output")
	fs.StringVar(&c.minLevel, "min-level", "", "gaps: the report's `LEVEL` (default: every level of the scale); coverage: the lowest level of a cell (default: every cell)")
	fs.StringVar(&c.status, "status", "", "coverage: the courses, active (default), retired or any")
	overServed := fs.String("over-served-above", "", fmt.Sprintf("gaps: a sub-competency more than `N` active courses cover is over-served (default %d)", analysis.DefaultOverServedAbove))
	c.state.addStateFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: cmap export coverage|gaps|readiness [flags]

Writes an analysis answer as a file: the coverage matrix (one row per
sub-competency), the gap report (one row per finding) or the readiness of
every person (one row per person), as CSV or JSON. The state is built as
'cmap serve' builds it: from the database (--mongo-uri, or the embedded one
in --data, seeded from --seeds when empty) and the rules in --rules. To
export from a running server, share its database with --mongo-uri (its log
names the URI) or GET /export/coverage.csv from it.

Examples:
  cmap export coverage --format csv -o coverage.csv
  cmap export gaps --min-level Advanced
  cmap export readiness --format json --mongo-uri mongodb://127.0.0.1:27017/

Flags:
`)
		fs.PrintDefaults()
	}
	var kind string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		kind, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if kind == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "cmap export: name one of coverage, gaps or readiness, then the flags")
		fs.Usage()
		return c, errors.New("bad arguments")
	}
	var err error
	if c.kind, err = export.ParseKind(kind); err != nil {
		fmt.Fprintf(stderr, "cmap export: %s\n", messageOf(err))
		return c, err
	}
	if c.overServedAbove, err = export.ParseOverServedAbove(*overServed); err != nil {
		fmt.Fprintf(stderr, "cmap export: %s\n", flagError(err))
		return c, err
	}
	if c.format, err = export.ParseFormat(*format); err != nil {
		fmt.Fprintf(stderr, "cmap export: --format: %s\n", messageOf(err))
		return c, err
	}
	if err := flagsFromEnv(fs, getenv); err != nil {
		fmt.Fprintf(stderr, "cmap export: %v\n", err)
		return c, err
	}
	return c, nil
}

// runExport runs `cmap export`.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseExportFlags(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	// Only errors: the embedded database warns about what a short-lived
	// client does on exit, and the export's own errors are printed below.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	db, a, err := openState(ctx, cfg.state, logger)
	if err != nil {
		fmt.Fprintf(stderr, "cmap export: %v\n", err)
		return exitFail
	}
	var buf bytes.Buffer
	err = export.Write(&buf, a.Index(), cfg.kind, cfg.format, export.Options{MinLevel: cfg.minLevel, Status: cfg.status, OverServedAbove: cfg.overServedAbove})
	if closeErr := errors.Join(a.Close(), db.Close(context.WithoutCancel(ctx))); closeErr != nil {
		logger.Warn("closing the database", "error", closeErr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "cmap export: %s\n", flagError(err))
		if engine.ErrorCode(err) == engine.EINVALID {
			return exitUsage
		}
		return exitFail
	}
	if cfg.output == "" {
		_, err = stdout.Write(buf.Bytes())
	} else {
		err = os.WriteFile(cfg.output, buf.Bytes(), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "cmap export: writing: %v\n", err)
		return exitFail
	}
	return exitOK
}

// flagError names the flag behind an export option error: minLevel is
// --min-level, status --status, overServedAbove --over-served-above.
func flagError(err error) string {
	switch engine.ErrorField(err) {
	case "minLevel":
		return "--min-level: " + messageOf(err)
	case "status":
		return "--status: " + messageOf(err)
	case "overServedAbove":
		return "--over-served-above: " + messageOf(err)
	}
	return err.Error()
}

// messageOf returns the message of err without its field path.
func messageOf(err error) string {
	if e, ok := errors.AsType[*engine.Error](err); ok && e.Message != "" {
		return e.Message
	}
	return err.Error()
}
