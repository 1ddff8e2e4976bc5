package export

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// coveragePage is the script of the coverage page, whose level colours a
// workbook repeats.
const coveragePage = "../web/coverage/coverage.js"

// The level colours of a workbook are the coverage page's: its script's
// own functions, run by Node on scales of one to seven levels, give each
// level the background and ink levelColours gives it.
func TestLevelColoursAreThePages(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the page's colours cannot be computed; TestViridisIsThePages still compares the ramps")
	}
	src, err := os.ReadFile(coveragePage)
	if err != nil {
		t.Fatal(err)
	}
	// From the ramp to the end of levelStyles: plain functions of their
	// arguments, no page needed.
	code := regexp.MustCompile(`(?s)const viridis = .*?\nfunction levelStyles\(levels\) \{.*?\n\}\n`).Find(src)
	if code == nil {
		t.Fatalf("%s: no viridis ramp and levelStyles function found", coveragePage)
	}
	scales := [][]string{{"Only"}, {"Low", "High"}, {"Basic", "Intermediate", "Advanced"},
		{"Basic", "Intermediate", "Advanced", "Expert"}, {"L1", "L2", "L3", "L4", "L5", "L6", "L7"}}
	input, _ := json.Marshal(scales)
	script := string(code) + fmt.Sprintf(`
const out = %s.map((levels) => { const s = levelStyles(levels); return levels.map((l) => [s.get(l).background, s.get(l).color]); });
console.log(JSON.stringify(out));`, input)
	out, err := exec.Command(node, "-e", script).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var page [][][2]string
	if err := json.Unmarshal(out, &page); err != nil {
		t.Fatalf("node printed %q: %v", out, err)
	}
	rgb := regexp.MustCompile(`^rgb\((\d+), (\d+), (\d+)\)$`)
	for i, levels := range scales {
		ours := levelColours(levels)
		for j, level := range levels {
			m := rgb.FindStringSubmatch(page[i][j][0])
			if m == nil {
				t.Fatalf("the page's background %q is not rgb(r, g, b)", page[i][j][0])
			}
			var r, g, b int
			fmt.Sscan(m[1], &r)
			fmt.Sscan(m[2], &g)
			fmt.Sscan(m[3], &b)
			ink := strings.ToUpper(page[i][j][1])
			if ink == "#FFF" {
				ink = "#FFFFFF"
			}
			want := levelColour{background: fmt.Sprintf("#%02X%02X%02X", r, g, b), ink: ink}
			if ours[level] != want {
				t.Errorf("scale %v, level %s: workbook %+v, page %+v", levels, level, ours[level], want)
			}
		}
	}
}

// The ramp the workbook interpolates is the page's, point for point.
func TestViridisIsThePages(t *testing.T) {
	src, err := os.ReadFile(coveragePage)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`const viridis = (\[\[.*?\]\]);`).FindSubmatch(src)
	if m == nil {
		t.Fatalf("%s: no viridis ramp found", coveragePage)
	}
	var page [][3]float64
	if err := json.Unmarshal(m[1], &page); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(page) != fmt.Sprint(viridis) {
		t.Errorf("the workbook's ramp %v is not the page's %v", viridis, page)
	}
}
