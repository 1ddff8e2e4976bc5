package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Every cmap command follows the same conventions:
//
//   - -h, -help and --help after any verb or sub-verb, and `cmap help VERB
//     [SUB-VERB]`, print that command's help (what it does, examples, its
//     flags) on standard output and exit 0;
//   - a wrong command line prints what is wrong, then the usage, on
//     standard error and exits 2 (exitUsage).
//
// The helpers below keep them in one place.

// setUsage makes fs print text, then its flags, as its help.
func setUsage(fs *flag.FlagSet, text string) {
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), text)
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
}

// parseFlags parses args with fs, flags and positional arguments in any
// order. With -h, -help or --help it prints fs's help on stdout; on a bad
// flag, what is wrong and fs's usage on stderr. In both cases ok is false
// and code is the exit code to return. Otherwise it returns the
// positional arguments.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (positional []string, code int, ok bool) {
	usage := fs.Usage
	fs.Usage = func() {}     // printed below, on the stream the outcome calls for
	fs.SetOutput(io.Discard) // the flag package's message is err, printed below
	positional, err := parseInterspersed(fs, args)
	fs.Usage = usage
	fs.SetOutput(stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printUsage(fs, stdout)
		return nil, exitOK, false
	case err != nil:
		return nil, usageError(fs, stderr, "%v", err), false
	}
	return positional, exitOK, true
}

// parseFlagsEnv is parseFlags, then flagsFromEnv: the flags args leave
// out take their values from the environment getenv reads.
func parseFlagsEnv(fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) (positional []string, code int, ok bool) {
	positional, code, ok = parseFlags(fs, args, stdout, stderr)
	if !ok {
		return nil, code, false
	}
	if err := flagsFromEnv(fs, getenv); err != nil {
		return nil, usageError(fs, stderr, "%v", err), false
	}
	return positional, exitOK, true
}

// usageError prints "NAME: message" and fs's usage on stderr and returns
// exitUsage: the command line is wrong.
func usageError(fs *flag.FlagSet, stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "%s: %s\n\n", fs.Name(), fmt.Sprintf(format, args...))
	printUsage(fs, stderr)
	return exitUsage
}

// checkFormat reports whether format is one of allowed; when it is not,
// it writes the usage error that names them and returns exitUsage.
func checkFormat(fs *flag.FlagSet, stderr io.Writer, format string, allowed ...string) (int, bool) {
	if slices.Contains(allowed, format) {
		return exitOK, true
	}
	last := len(allowed) - 1
	return usageError(fs, stderr, "--format must be %s or %s, not %q", strings.Join(allowed[:last], ", "), allowed[last], format), false
}

// printUsage writes fs's help to w.
func printUsage(fs *flag.FlagSet, w io.Writer) {
	out := fs.Output()
	fs.SetOutput(w)
	fs.Usage()
	fs.SetOutput(out)
}

// isHelpFlag reports whether arg asks for help as a flag would.
func isHelpFlag(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

// runVerbs runs `CMD VERB ...` for a command with verbs, cmd ("cmap
// keys") whose help is usage: the help forms as groupHelp answers them,
// then the verb args[0] names in verbs on the arguments after it. A
// missing verb (the message missing) or an unknown one is a usage error:
// the message and usage on stderr, exit 2.
func runVerbs(cmd, usage, missing string, args []string, stdout, stderr io.Writer, verbs map[string]func(args []string) int) int {
	if code, ok := groupHelp(args, usage, stdout, func(args []string) int {
		return runVerbs(cmd, usage, missing, args, stdout, stderr, verbs)
	}); ok {
		return code
	}
	if len(args) == 0 {
		fmt.Fprintf(stderr, "%s: %s\n\n%s", cmd, missing, usage)
		return exitUsage
	}
	if run, ok := verbs[args[0]]; ok {
		return run(args[1:])
	}
	fmt.Fprintf(stderr, "%s: unknown verb %q\n\n%s", cmd, args[0], usage)
	return exitUsage
}

// groupHelp answers the help forms of a command with verbs (cmap, cmap
// rules, cmap model): -h, -help, --help or a lone "help" print usage on
// stdout and exit 0; "help VERB ..." runs "VERB ... -h", which prints the
// help of that verb. ok is false when args are not a help form.
func groupHelp(args []string, usage string, stdout io.Writer, run func(args []string) int) (code int, ok bool) {
	switch {
	case len(args) == 0:
		return 0, false
	case isHelpFlag(args[0]), args[0] == "help" && len(args) == 1:
		fmt.Fprint(stdout, usage)
		return exitOK, true
	case args[0] == "help":
		return run(append(args[1:len(args):len(args)], "-h")), true
	}
	return 0, false
}
