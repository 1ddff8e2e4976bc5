package main

import (
	"cmap/domain"
	"context"
	"fmt"
	"io"
	"strings"

	"cmap/engine"
	"cmap/suggest"
)

const rulesSuggestUsage = `Usage: cmap rules suggest [flags]

Suggests mappings the rules may have missed: for each sub-competency (or
the one --sub names), the active courses whose text (title, description,
objectives, topics) matches its statement well but that no rule of
--rules maps to it, ranked by BM25 over stemmed words, with the words
that matched. A suggestion is a lead for a rule author, not a fact: read
the course, then write or widen a rule (and plan it with 'cmap rules
diff').

The catalogue is the sample one in --seeds, or the records of a database
with --data or --mongo-uri; nothing is written to it.

Examples:
  cmap rules suggest --sub 4.K --top 5
  cmap rules suggest --sub 7.A --top 3 --format json
`

func runRulesSuggest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newRulesFlags("suggest", rulesSuggestUsage)
	var catalogue catalogueFlags
	catalogue.addFlags(f.fs)
	sub := f.fs.String("sub", "", "suggest for the sub-competency `CODE` only (default: every one)")
	top := f.fs.Int("top", suggest.DefaultTop, "suggest at most `N` courses per sub-competency")
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageError(f.fs, stderr, "no arguments, only flags: got %s", strings.Join(pos, " "))
	}
	if *top < 1 {
		return usageError(f.fs, stderr, "--top must be at least 1, not %d", *top)
	}
	cat, ok := catalogue.load(ctx, "suggest", f.seeds, stderr)
	if !ok {
		return exitFail
	}
	if *sub != "" && cat.Framework.SubCompetency(*sub) == nil {
		return usageError(f.fs, stderr, "--sub: no sub-competency %q in the competency model", *sub)
	}
	rs, err := engine.LoadRuleSet(f.rules, cat.Framework)
	if err != nil {
		fmt.Fprintf(stderr, "cmap rules suggest: the rules in %s do not load:\n", f.rules)
		printDiagnostics(stderr, loadErrors(err))
		return exitFail
	}
	d, err := rs.DeriveAll(cat.Courses, nil)
	if err != nil {
		fmt.Fprintf(stderr, "cmap rules suggest: rules failed at run time (their other facts stand): %v\n", err)
	}
	out, err := suggest.Suggest(cat.Framework, suggest.NewIndex(cat.Courses), d.Coverage, *sub, *top)
	if err != nil {
		fmt.Fprintf(stderr, "cmap rules suggest: %s\n", domain.ErrorMessage(err))
		return exitFail
	}
	if f.format == "json" {
		writeJSON(stdout, out)
		return exitOK
	}
	last := ""
	for _, s := range out {
		if s.SubCompetency != last {
			last = s.SubCompetency
			fmt.Fprintf(stdout, "%s %s\n", s.SubCompetency, cat.Framework.SubCompetency(s.SubCompetency).Statement)
		}
		fmt.Fprintf(stdout, "  %2d. %s %s (%.2f): %s\n", s.Rank, s.Course, s.Title, s.Score, strings.Join(s.Matched, ", "))
	}
	if len(out) == 0 {
		fmt.Fprintln(stdout, "no suggestions: every course matching a statement is mapped to it")
	}
	return exitOK
}
