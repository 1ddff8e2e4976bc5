package engine_test

import (
	"bufio"
	"cmap/domain"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cmap/engine"
	"cmap/seed"
)

var update = flag.Bool("update", false, "rewrite testdata/derived.golden from the facts derived now")

// goldenFile holds, per workload, a digest of every fact DeriveAll
// derives. It pins the facts across changes to how they are derived (an
// optimisation must not change a byte). A change to the shipped rules, the
// sample seeds or the synthetic workload changes it too: check that the
// new facts are right, then rerun with -update.
const goldenFile = "testdata/derived.golden"

// TestDerivedFactsUnchanged derives every fact of the DoD-scale synthetic
// workload and of the shipped sample (rules/ over seeds/) and compares
// their JSON encoding, byte for byte (through its SHA-256), with the
// golden file.
func TestDerivedFactsUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("derives 500,000 facts")
	}
	workloads := map[string]func(testing.TB) (*engine.RuleSet, []*domain.Course, []*domain.Position){
		"dod-scale": engine.DoDScaleWorkload,
		"sample":    sampleWorkload,
	}
	want := readGolden(t)
	got := map[string]string{}
	for name, load := range workloads {
		t.Run(name, func(t *testing.T) {
			rs, courses, positions := load(t)
			d, err := rs.DeriveAll(courses, positions)
			if err != nil {
				t.Fatal(err)
			}
			got[name] = digest(t, d)
			if got[name] != want[name] && !*update {
				t.Errorf("facts changed:\n got %s\nwant %s", got[name], want[name])
			}
		})
	}
	if *update {
		var b strings.Builder
		for _, name := range []string{"dod-scale", "sample"} {
			fmt.Fprintf(&b, "%s %s\n", name, got[name])
		}
		if err := os.WriteFile(goldenFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// sampleWorkload loads the shipped rules and the sample seeds.
func sampleWorkload(t testing.TB) (*engine.RuleSet, []*domain.Course, []*domain.Position) {
	ds, err := seed.Load(filepath.Join("..", "seeds"))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := engine.LoadRuleSet(filepath.Join("..", "rules"), ds.Framework)
	if err != nil {
		t.Fatal(err)
	}
	courses := domain.Refs(ds.Courses)
	positions := domain.Refs(ds.Positions)
	return rs, courses, positions
}

// digest describes d as its counts of facts and the SHA-256 of its JSON
// encoding (maps in key order, facts in the order derived).
func digest(t *testing.T, d *engine.Derived) string {
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(d); err != nil {
		t.Fatal(err)
	}
	cov, req := 0, 0
	for _, f := range d.Coverage {
		cov += len(f)
	}
	for _, f := range d.Requirements {
		req += len(f)
	}
	return fmt.Sprintf("courses=%d coverage=%d positions=%d requirements=%d sha256=%s",
		len(d.Coverage), cov, len(d.Requirements), req, hex.EncodeToString(h.Sum(nil)))
}

// readGolden returns the digests of goldenFile by workload name.
func readGolden(t *testing.T) map[string]string {
	out := map[string]string{}
	f, err := os.Open(goldenFile)
	if err != nil {
		if *update && os.IsNotExist(err) {
			return out
		}
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, d, ok := strings.Cut(sc.Text(), " "); ok {
			out[name] = d
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
