// Command cmap is a curriculum-mapping rules engine with a GraphQL API.
//
// A bare `cmap` serves the API (see `cmap help`); the other verbs work on
// the competency model and the rule files from the command line.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes that scripts can rely on.
const (
	exitOK    = 0 // success
	exitFail  = 1 // the command ran and found errors (bad rules, failing tests, a failed server)
	exitUsage = 2 // the command line itself is wrong
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches args to a verb and returns the process exit code. It never
// calls os.Exit, so tests drive it end to end.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if code, ok := groupHelp(args, usage, stdout, func(args []string) int {
		return run(ctx, args, stdout, stderr)
	}); ok {
		return code
	}
	verb := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		verb, args = args[0], args[1:]
	}
	switch verb {
	case "serve":
		return runServe(ctx, args, stdout, stderr)
	case "model":
		return runModel(ctx, args, stdout, stderr)
	case "rules":
		return runRules(ctx, args, stdout, stderr)
	case "export":
		return runExport(ctx, args, stdout, stderr)
	case "bench":
		return runBench(ctx, args, stdout, stderr)
	case "keys":
		return runKeys(ctx, args, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "cmap: unknown verb %q\n\n%s", verb, usage)
		return exitUsage
	}
}

const usage = `cmap: curriculum mapping with rules, over a GraphQL API.

Usage:
  cmap [serve] [flags]                 serve the API, the coverage map and
                                       the exports (the default verb)
  cmap model export [FILE]             write the competency model as YAML
  cmap model check [FILE]              show how the competency model reads
  cmap rules check [DIR]               check the rule files: every problem
                                       as file:line:col
  cmap rules test [DIR]                run the rule tests beside the rules
  cmap rules explain RULE --course CODE | --position ID
                                       show why a rule fires or not
  cmap rules lint [DIR]                find rules that look wrong on the
                                       catalogue: file:line:col and a code
  cmap rules fmt [--check] [DIR|FILE]  write rule files in the canonical
                                       layout, comments kept
  cmap rules diff [BASE] [HEAD]        plan a rule change: the facts,
                                       gaps and people it changes
  cmap rules suggest [--sub CODE]      courses a statement matches that
                                       no rule maps to it
  cmap export KIND                     write an analysis answer (coverage,
                                       gaps, demand, readiness) or records
                                       (courses, positions, people,
                                       completions, catalogue) as CSV,
                                       XLSX or JSON
  cmap bench [--scale S]               measure cmap against its DoD-scale
                                       goals
  cmap keys create|list|revoke         make, list and revoke API keys
  cmap help [VERB ...]                 this text, or the help of a verb

'cmap help VERB' (or 'cmap VERB -h') prints the flags and examples of a
verb. Exit codes: 0 success; 1 the command ran and found errors (bad
rules or seeds, failing tests, a server that failed); 2 a wrong command
line.

Examples:
  cmap help serve
  cmap help rules explain
  cmap rules check
`
