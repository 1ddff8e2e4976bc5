package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"cmap/modelfile"
)

const modelUsage = `Usage:
  cmap model export [flags] [FILE]

Verbs:
  export    read a competency model (text, YAML or JSON) and write it as YAML

Run 'cmap model VERB -h' (or 'cmap help model VERB') for the flags and
examples of a verb.

Examples:
  cmap help model export
`

// runModel runs `cmap model VERB ...`.
func runModel(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if code, ok := groupHelp(args, modelUsage, stdout, func(args []string) int {
		return runModel(ctx, args, stdout, stderr)
	}); ok {
		return code
	}
	if len(args) == 0 {
		fmt.Fprintf(stderr, "cmap model: missing verb\n\n%s", modelUsage)
		return exitUsage
	}
	switch verb := args[0]; verb {
	case "export":
		return runModelExport(args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "cmap model: unknown verb %q\n\n%s", verb, modelUsage)
		return exitUsage
	}
}

// runModelExport runs `cmap model export [-o FILE] [--seeds DIR] [FILE]`:
// it reads the model in FILE, by default the one model file in the seeds
// directory, and writes it as YAML.
func runModelExport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cmap model export", flag.ContinueOnError)
	seeds := fs.String("seeds", "seeds", "the seeds `DIR` to take the model from when no FILE is given ($CMAP_SEEDS)")
	output := fs.String("o", "", "write the YAML to `FILE` instead of standard output")
	setUsage(fs, `Usage: cmap model export [flags] [FILE]

Reads a competency model and writes it as YAML. FILE is read by its
extension: .txt/.text (the customer's text format), .yaml/.yml or .json.
Without FILE, the model is the one file matching *competency-model.* in the
seeds directory.

Examples:
  cmap model export
  cmap model export seeds/security-cooperation-competency-model.txt -o model.yaml
`)
	files, code, ok := parseFlags(fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if err := flagsFromEnv(fs, os.Getenv); err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	if len(files) > 1 {
		return usageError(fs, stderr, "one model file at most, got %d", len(files))
	}

	var path string
	var err error
	if len(files) == 1 {
		path = files[0]
	} else {
		path, err = modelfile.FindModelFile(*seeds)
		if err != nil {
			fmt.Fprintf(stderr, "cmap model export: %v\n", err)
			return exitFail
		}
	}
	model, err := modelfile.ReadFile(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFail
	}
	var buf bytes.Buffer
	if err := modelfile.WriteYAML(&buf, model); err != nil {
		fmt.Fprintf(stderr, "cmap model export: %v\n", err)
		return exitFail
	}
	if *output == "" {
		_, err = stdout.Write(buf.Bytes())
	} else {
		err = os.WriteFile(*output, buf.Bytes(), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "cmap model export: %v\n", err)
		return exitFail
	}
	return exitOK
}

// parseInterspersed parses flags that may come before or after the
// positional arguments (`export FILE -o out.yaml`), which the flag package
// alone stops at, and returns the positional arguments. A "--" ends the
// flags as usual.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil // "--" ends the flags
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
