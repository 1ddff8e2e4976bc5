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
	"os/exec"
	"path/filepath"
	"strings"

	"cmap/engine"
	"cmap/mongodb"
	"cmap/ruleplan"
	"cmap/seed"
)

// exitChanges is the exit code of `cmap rules diff` when the plan changes
// some fact, as terraform plan -detailed-exitcode has it (there 2, which
// cmap keeps for a wrong command line).
const exitChanges = 3

const rulesDiffUsage = `Usage: cmap rules diff [flags] [BASE] [HEAD]

Plans a rule change: derives the facts of two rule sets over the same
catalogue and reports what the change would do: the facts added, removed
and changed (course -> sub-competency -> level, position -> sub-competency
-> level), grouped by the rule that explains them with its file:line; the
gaps opened and closed at each level of the scale; the blocking demand
gained and lost; the positions whose requirements change; the people
whose readiness changes (counted; listed with --people); and the
organizations whose ready share moves.

BASE and HEAD are each a rule directory, or a git revision of the --rules
directory (HEAD, main, a1b2c3d; REV:PATH names another path at REV).
BASE defaults to the rules as committed at git's HEAD, which the server
serves once they are merged, and HEAD to the --rules directory as it is
on disk: with no argument the plan is that of your uncommitted edits.

The catalogue is the sample one in --seeds, or the records of a database
with --data (the embedded one in that folder) or --mongo-uri; nothing is
written to it.

Exit 0 when no fact changes, 3 when some do, 1 on errors (rules that do
not load, a revision git does not know), 2 for a wrong command line.

Examples:
  cmap rules diff
  cmap rules diff HEAD rules --format markdown
  cmap rules diff main --people
  cmap rules diff rules testdata/broken-rules
`

// rulesDiffConfig is the configuration of `cmap rules diff`.
type rulesDiffConfig struct {
	*rulesFlags
	catalogue  catalogueFlags
	people     bool
	base, head ruleSource
}

func parseRulesDiffFlags(args []string, getenv func(string) string, stdout, stderr io.Writer) (c rulesDiffConfig, code int, ok bool) {
	c.rulesFlags = newRulesFlags("diff", rulesDiffUsage)
	fs := c.fs
	fs.Lookup("format").Usage = "write `FORMAT`: text, json or markdown"
	c.catalogue.addFlags(fs)
	fs.BoolVar(&c.people, "people", false, "list every person whose readiness changes")
	pos, code, ok := parseFlagsEnv(fs, args, getenv, stdout, stderr)
	if !ok {
		return c, code, false
	}
	if code, ok := checkFormat(fs, stderr, c.format, "text", "json", "markdown"); !ok {
		return c, code, false
	}
	if len(pos) > 2 {
		return c, usageError(fs, stderr, "two rule sets at most, BASE and HEAD, got %s", strings.Join(pos, " ")), false
	}
	c.base = ruleSource{rev: "HEAD", path: c.rules}
	c.head = ruleSource{dir: c.rules}
	if len(pos) > 0 {
		c.base = sourceOf(pos[0], c.rules)
	}
	if len(pos) > 1 {
		c.head = sourceOf(pos[1], c.rules)
	}
	return c, exitOK, true
}

// ruleSource is one side of a diff: a rule directory, or a directory at
// a git revision.
type ruleSource struct {
	// dir is a rule directory on disk; or rev is a git revision and
	// path the rule directory in it, relative to the working directory.
	dir, rev, path string
	// bare is set for an argument that named neither a directory nor a
	// path: it may have meant either.
	bare bool
}

// sourceOf reads a BASE or HEAD argument: an existing directory, REV:PATH,
// or a revision of the directory rules.
func sourceOf(arg, rules string) ruleSource {
	if info, err := os.Stat(arg); err == nil && info.IsDir() {
		return ruleSource{dir: arg}
	}
	if rev, path, ok := strings.Cut(arg, ":"); ok && rev != "" && path != "" {
		return ruleSource{rev: rev, path: path}
	}
	return ruleSource{rev: arg, path: rules, bare: true}
}

// String names the source as the plan's heading does.
func (s ruleSource) String() string {
	if s.rev == "" {
		return s.dir
	}
	return s.rev + ":" + filepath.ToSlash(filepath.Clean(s.path))
}

// load loads the source's rule set, checked against fw.
func (s ruleSource) load(ctx context.Context, fw *domain.Framework) (*engine.RuleSet, error) {
	if s.rev == "" {
		return engine.LoadRuleSet(s.dir, fw)
	}
	files, err := gitRuleFiles(ctx, s.rev, s.path)
	if err != nil && s.bare {
		return nil, fmt.Errorf("%s is no directory, and as a revision: %w", s.rev, err)
	}
	if err != nil {
		return nil, err
	}
	// Named as the directory is on disk, so that both sides name the
	// same files alike.
	return files.Load(filepath.ToSlash(filepath.Clean(s.path)), fw)
}

// gitRuleFiles returns the files of directory dir as committed at
// revision rev, from `git archive` run in the working directory.
func gitRuleFiles(ctx context.Context, rev, dir string) (ruleplan.Files, error) {
	rel := dir
	if filepath.IsAbs(dir) {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		if rel, err = filepath.Rel(wd, dir); err != nil {
			return nil, err
		}
	}
	// "./" makes git read the path from the working directory rather
	// than from the top of the repository.
	spec := rev + ":./" + filepath.ToSlash(filepath.Clean(rel))
	cmd := exec.CommandContext(ctx, "git", "archive", "--format=tar", spec)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git archive %s: %s", spec, strings.TrimPrefix(msg, "fatal: "))
	}
	return ruleplan.ReadTar(bytes.NewReader(out))
}

func runRulesDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, code, ok := parseRulesDiffFlags(args, os.Getenv, stdout, stderr)
	if !ok {
		return code
	}
	cat, ok := c.catalogue.load(ctx, "diff", c.seeds, stderr)
	if !ok {
		return exitFail
	}
	var sides [2]*ruleplan.Side
	for i, src := range []ruleSource{c.base, c.head} {
		name := [2]string{"BASE", "HEAD"}[i]
		rs, err := src.load(ctx, cat.Framework)
		if err != nil {
			if l := loadErrors(err); len(l) > 1 || l[0].File != "" {
				fmt.Fprintf(stderr, "cmap rules diff: %s (%s) does not load:\n", name, src)
				printDiagnostics(stderr, l)
			} else {
				fmt.Fprintf(stderr, "cmap rules diff: %s (%s): %v\n", name, src, err)
			}
			return exitFail
		}
		if sides[i], err = ruleplan.Apply(rs, cat); err != nil {
			fmt.Fprintf(stderr, "cmap rules diff: %s (%s): %v\n", name, src, err)
			return exitFail
		}
	}
	plan := ruleplan.Compare(sides[0], sides[1])
	plan.Base.Source, plan.Head.Source = c.base.String(), c.head.String()
	opts := ruleplan.RenderOptions{People: c.people}
	switch c.format {
	case "json":
		if !c.people {
			plan.People.Changes = nil
		}
		writeJSON(stdout, plan)
	case "markdown":
		plan.WriteMarkdown(stdout, opts)
	default:
		plan.WriteText(stdout, opts)
	}
	switch {
	case plan.RunErrors != "":
		return exitFail
	case plan.Changed():
		return exitChanges
	}
	return exitOK
}

// catalogueFlags say where rules diff and rules suggest read the records:
// the seeds, or a database.
type catalogueFlags struct{ data, mongoURI string }

func (c *catalogueFlags) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.data, "data", "", "read the catalogue from the embedded database in `DIR` instead of --seeds ($CMAP_DATA)")
	fs.StringVar(&c.mongoURI, "mongo-uri", "", "read the catalogue from the MongoDB at `URI` instead of --seeds ($CMAP_MONGO_URI)")
}

// load reads the records: the seeds in seeds, or the database when --data
// or --mongo-uri names one; nothing is written to it. It prints what went
// wrong, naming the command cmd, when ok is false.
func (c catalogueFlags) load(ctx context.Context, cmd, seeds string, stderr io.Writer) (cat ruleplan.Catalogue, ok bool) {
	if c.data == "" && c.mongoURI == "" {
		ds, err := seed.Load(seeds)
		if err != nil {
			fmt.Fprintf(stderr, "cmap rules %s: the seeds in %s: ", cmd, seeds)
			printProblems(stderr, err)
			return cat, false
		}
		cat.Framework = ds.Framework
		cat.Courses = domain.Refs(ds.Courses)
		cat.Positions = domain.Refs(ds.Positions)
		cat.People = domain.Refs(ds.People)
		return cat, true
	}
	// Only errors: the embedded database warns about what a short-lived
	// client does on exit.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	db, err := mongodb.Open(ctx, mongodb.Config{URI: c.mongoURI, DataDir: c.data, Logger: logger})
	if err == nil {
		cat, err = readCatalogue(ctx, db)
		if closeErr := db.Close(context.WithoutCancel(ctx)); closeErr != nil {
			logger.Warn("closing the database", "error", closeErr)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "cmap rules %s: the database: %v\n", cmd, err)
		return cat, false
	}
	return cat, true
}

// activeFramework reads the active revision of the competency model in
// the database that --data or --mongo-uri names; nothing is written.
func (c catalogueFlags) activeFramework(ctx context.Context, stderr io.Writer) (*domain.Framework, error) {
	// Only errors: the embedded database warns about what a short-lived
	// client does on exit.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	db, err := mongodb.Open(ctx, mongodb.Config{URI: c.mongoURI, DataDir: c.data, Logger: logger})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := db.Close(context.WithoutCancel(ctx)); err != nil {
			logger.Warn("closing the database", "error", err)
		}
	}()
	fw, err := db.Framework(ctx)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, errors.New("it holds no competency model: serve it once to seed it")
	}
	return fw, err
}

// readCatalogue reads the framework and every record of a store.
func readCatalogue(ctx context.Context, s domain.Store) (ruleplan.Catalogue, error) {
	fw, err := s.Framework(ctx)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return ruleplan.Catalogue{}, errors.New("it holds no competency model: serve it once to seed it, or leave out --data and --mongo-uri to plan over the seeds")
	}
	if err != nil {
		return ruleplan.Catalogue{}, err
	}
	courses, err := s.ListCourses(ctx, domain.CourseFilter{}, domain.Page{})
	if err != nil {
		return ruleplan.Catalogue{}, err
	}
	positions, err := s.ListPositions(ctx, domain.PositionFilter{}, domain.Page{})
	if err != nil {
		return ruleplan.Catalogue{}, err
	}
	people, err := s.ListPeople(ctx, domain.PersonFilter{}, domain.Page{})
	if err != nil {
		return ruleplan.Catalogue{}, err
	}
	return ruleplan.Catalogue{Framework: fw, Courses: courses.Items, Positions: positions.Items, People: people.Items}, nil
}
