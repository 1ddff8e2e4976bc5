package engine_test

import (
	"os"
	"path/filepath"
	"testing"

	"cmap/engine"
)

// FuzzFormat formats a rule file of arbitrary text: Format refuses it or
// returns a file that a second Format leaves as it is (Format itself
// checks that its output means what its input meant). Its seed corpus is
// testdata/fmt, the shipped rules and testdata/fuzz/FuzzFormat; run it for
// a while with
//
//	go test -run '^$' -fuzz '^FuzzFormat$' -fuzztime 60s -fuzzminimizetime 100x -parallel 1 ./engine/
func FuzzFormat(f *testing.F) {
	for _, dir := range []string{filepath.Join("..", "testdata", "fmt"), filepath.Join("..", "rules")} {
		for _, rel := range yamlFiles(f, dir) {
			src, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(string(src))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		out, err := engine.Format(engine.RuleSource, "a.yaml", []byte(src))
		if err != nil {
			return
		}
		again, err := engine.Format(engine.RuleSource, "a.yaml", out)
		if err != nil || string(again) != string(out) {
			t.Errorf("not stable: %v\n--- input\n%s\n--- once\n%s\n--- twice\n%s", err, src, out, again)
		}
	})
}
