package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	read := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	generated := write("generated.go", "a := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, f)\nb := graphql.MarshalSliceConcurrently(ctx, 1, 0, false, g)\n")
	want := "a := marshalSliceInOrder(ctx, len(v), 0, false, f)\nb := marshalSliceInOrder(ctx, 1, 0, false, g)\n"
	for range 2 { // running it again changes nothing
		if err := run([]string{generated}); err != nil {
			t.Fatal(err)
		}
		if got := read(generated); got != want {
			t.Errorf("rewritten to\n%s\nwant\n%s", got, want)
		}
	}
	other := write("other.go", "ret := graphql.MarshalSliceSomehow(ctx)\n")
	if err := run([]string{other}); err == nil || !strings.Contains(err.Error(), "has gqlgen changed") {
		t.Errorf("a file without either call: error %v", err)
	}
	if err := run(nil); err == nil {
		t.Error("no argument: no error")
	}
}
