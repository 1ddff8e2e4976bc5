package main

import (
	"bytes"
	"cmap/domain"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-isatty"

	"cmap/analysis"
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
// store flags args leave out, from the environment (getenv). When ok is
// false export stops with code: help was asked for (0) or the command
// line is wrong (2).
func parseExportFlags(args []string, getenv func(string) string, stdout, stderr io.Writer) (c exportConfig, code int, ok bool) {
	fs := flag.NewFlagSet("cmap export", flag.ContinueOnError)
	format := fs.String("format", "", "write `FORMAT`: csv, xlsx or json (default: the -o file's extension, else csv)")
	fs.StringVar(&c.output, "o", "", "write to `FILE` instead of standard output")
	fs.StringVar(&c.minLevel, "min-level", "", "gaps: the report's `LEVEL` (default: every level of the scale); coverage: the lowest level of a cell (default: every cell)")
	fs.StringVar(&c.status, "status", "", "coverage: the courses of `STATUS`: active (default), retired or any")
	overServed := fs.String("over-served-above", "", fmt.Sprintf("gaps: a sub-competency more than `N` active courses cover is over-served (default %d)", analysis.DefaultOverServedAbove))
	c.state.addStateFlags(fs)
	setUsage(fs, `Usage: cmap export KIND [flags]

Writes an analysis answer, or the catalogue's records, as a file: CSV,
XLSX (a workbook) or JSON. KIND is one of:
  coverage     the coverage matrix: one row per sub-competency, one
               column per course, the level of each cell, counts per level
  gaps         the gap report: sub-competencies no active course teaches
               at a level (uncovered), those more than --over-served-above
               courses teach (over-served), and active courses that cover
               nothing; at every level of the scale, or at --min-level
  demand       how many positions require each sub-competency at each
               level, and whether an active course reaches it
  readiness    one row per person: ready or not, and the gaps
  courses, positions, people, completions
               the records, in the layout of the seeds folder's files
               (courses.yaml's fields, positions.csv, people.csv,
               completions.csv), which the seeds folder and import read
  catalogue    the four together: a workbook with a sheet of each, or one
               JSON document (no CSV: a CSV file holds one table)

A workbook's tables have their header row frozen and an autofilter;
coverage, gaps and demand colour each level as the coverage page does, and
every analysis workbook has a Legend sheet: when and from which rules it
was made, the parameters, the colours and the columns. CSV cells that a
spreadsheet would take for a formula (=, +, -, @, tab, carriage return)
get a ' before them; workbook cells are text, never formulas.

The state is built as 'cmap serve' builds it: from the database
(--mongo-uri, or the embedded one in --data, seeded from --seeds when
empty) and the rules in --rules. To export from a running server, share
its database with --mongo-uri (its log names the URI) or GET
/export/KIND.csv (.xlsx, .json) from it, with the same parameters:
minLevel, status, overServedAbove.

Examples:
  cmap export gaps
  cmap export gaps --min-level Advanced --format json
  cmap export coverage --format csv -o coverage.csv
  cmap export coverage -o coverage.xlsx
  cmap export catalogue -o catalogue.xlsx
`)
	var kind string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		kind, args = args[0], args[1:]
	}
	pos, code, ok := parseFlags(fs, args, stdout, stderr)
	if !ok {
		return c, code, false
	}
	if kind == "" || len(pos) > 0 {
		return c, usageError(fs, stderr, "name the export (%s), then the flags", export.KindNames()), false
	}
	var err error
	if c.kind, err = export.ParseKind(kind); err != nil {
		return c, usageError(fs, stderr, "%s", messageOf(err)), false
	}
	if c.overServedAbove, err = export.ParseOverServedAbove(*overServed); err != nil {
		return c, usageError(fs, stderr, "%s", flagError(err)), false
	}
	if *format == "" {
		*format = string(export.CSV)
		if ext := strings.TrimPrefix(filepath.Ext(c.output), "."); ext != "" {
			if f, err := export.ParseFormat(ext); err == nil {
				*format = string(f)
			}
		}
	}
	if c.format, err = export.ParseFormat(*format); err != nil {
		return c, usageError(fs, stderr, "--format: %s", messageOf(err)), false
	}
	if err := c.kind.Check(c.format); err != nil {
		return c, usageError(fs, stderr, "--format: %s", messageOf(err)), false
	}
	if err := flagsFromEnv(fs, getenv); err != nil {
		return c, usageError(fs, stderr, "%v", err), false
	}
	return c, exitOK, true
}

// runExport runs `cmap export`.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseExportFlags(args, os.Getenv, stdout, stderr)
	if !ok {
		return code
	}
	if cfg.output == "" && cfg.format == export.XLSX && isTerminal(stdout) {
		fmt.Fprintln(stderr, "cmap export: a workbook is a binary file: name one with -o, or redirect standard output")
		return exitUsage
	}
	// Only errors: the embedded database warns about what a short-lived
	// client does on exit, and the export's own errors are printed below.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	db, a, err := openState(ctx, cfg.state, logger, nil)
	if err != nil {
		fmt.Fprintf(stderr, "cmap export: %v\n", err)
		return exitFail
	}
	var buf bytes.Buffer
	view := a.View()
	err = export.Write(&buf, view.Index(), cfg.kind, cfg.format, export.Options{MinLevel: cfg.minLevel, Status: cfg.status,
		OverServedAbove: cfg.overServedAbove, Made: time.Now(), Rules: view.RuleSet()})
	if closeErr := errors.Join(a.Close(), db.Close(context.WithoutCancel(ctx))); closeErr != nil {
		logger.Warn("closing the database", "error", closeErr)
	}
	if err != nil {
		// A level off the scale is found only now, the scale being data:
		// still a wrong command line.
		fmt.Fprintf(stderr, "cmap export: %s\n", flagError(err))
		if domain.ErrorCode(err) == domain.EINVALID {
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
	switch domain.ErrorField(err) {
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
	if e, ok := errors.AsType[*domain.Error](err); ok && e.Message != "" {
		return e.Message
	}
	return err.Error()
}

// isTerminal reports whether w is a terminal, which binary output would
// garble (a file, a pipe or /dev/null is not).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
