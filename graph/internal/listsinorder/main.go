// Command listsinorder rewrites gqlgen's generated executor so that it
// writes the elements of a list of objects one after another, in the
// request's goroutine, instead of one goroutine per element.
//
// gqlgen (v0.17.98) writes every list whose elements are objects with
// graphql.MarshalSliceConcurrently and has no option to do otherwise. That
// pays when resolvers wait on I/O; cmap's resolvers answer from the
// in-memory read model, so the goroutines only cost: their creation and
// stack growth made a third of the CPU time of one person's readiness and
// of the coverage matrix. The rewrite calls marshalSliceInOrder (package
// graph), which has the same signature and the same results.
//
// Usage, from the graph package (go generate runs it after gqlgen):
//
//	go run ./internal/listsinorder generated.go
//
// It fails when the file has neither gqlgen's call nor the rewritten one,
// so that a gqlgen upgrade that writes lists differently is noticed.
package main

import (
	"bytes"
	"fmt"
	"os"
)

var (
	concurrent = []byte("graphql.MarshalSliceConcurrently(")
	inOrder    = []byte("marshalSliceInOrder(")
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "listsinorder: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: listsinorder FILE")
	}
	path := args[0]
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Contains(src, concurrent) && !bytes.Contains(src, inOrder) {
		return fmt.Errorf("%s calls neither %s nor %s: has gqlgen changed how it writes lists?", path, concurrent, inOrder)
	}
	return os.WriteFile(path, bytes.ReplaceAll(src, concurrent, inOrder), 0o644)
}
