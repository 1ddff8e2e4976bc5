package seed

import (
	"bufio"
	"cmap/domain"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// catalogueRow is one row of the map in seeds/CATALOGUE.md.
type catalogueRow struct {
	line    int
	sub     string
	phrases []string
	topics  []string
	// courses maps each active course listed to its tier as written.
	courses map[string]string
}

var (
	backticked = regexp.MustCompile("`([^`]+)`")
	listedTier = regexp.MustCompile(`^([A-Z]+-[0-9]+) \((Basic|Intermediate|Advanced|Expert)\)$`)
)

// readCatalogue parses the table rows of seeds/CATALOGUE.md.
func readCatalogue(t *testing.T) []catalogueRow {
	t.Helper()
	f, err := os.Open(filepath.Join(seedsDir, "CATALOGUE.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []catalogueRow
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		cells := strings.Split(strings.Trim(sc.Text(), "| "), " | ")
		if len(cells) < 4 || !domain.IsSubCompetencyCode(cells[0]) {
			continue
		}
		row := catalogueRow{line: n, sub: cells[0], courses: map[string]string{}}
		for _, m := range backticked.FindAllStringSubmatch(cells[1], -1) {
			row.phrases = append(row.phrases, m[1])
		}
		for _, m := range backticked.FindAllStringSubmatch(cells[2], -1) {
			row.topics = append(row.topics, m[1])
		}
		for _, item := range strings.Split(cells[3], ", ") {
			m := listedTier.FindStringSubmatch(strings.TrimSpace(item))
			if m == nil {
				t.Errorf("CATALOGUE.md:%d: %q is not CODE (Tier)", n, item)
				continue
			}
			row.courses[m[1]] = m[2]
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// readVocabulary returns the topics listed in seeds/README.md's section
// "Topic vocabulary".
func readVocabulary(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(seedsDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "### Topic vocabulary\n")
	if !ok {
		t.Fatal("seeds/README.md has no section ### Topic vocabulary")
	}
	section, _, _ = strings.Cut(section, "\n#")
	var topics []string
	for _, line := range strings.Split(section, "\n") {
		if m := regexp.MustCompile("^- `([^`]+)`:").FindStringSubmatch(line); m != nil {
			topics = append(topics, m[1])
		}
	}
	return topics
}

// courseText is what rule authors match phrases against.
func courseText(c domain.Course) string {
	return strings.ToLower(c.Title + "\n" + c.Description + "\n" + strings.Join(c.Objectives, "\n"))
}

// TestCatalogueMapsEverySubCompetency checks seeds/CATALOGUE.md against the
// model and the courses: every sub-competency has a row, and every course a
// row lists is active, of the tier written, and contains one of the row's
// phrases. So a rule author who writes phrase rules from the map covers all
// sub-competencies with active courses.
func TestCatalogueMapsEverySubCompetency(t *testing.T) {
	ds := loadSeeds(t)
	courses := map[string]domain.Course{}
	for _, c := range ds.Courses {
		courses[c.Code] = c
	}
	vocabulary := readVocabulary(t)
	tiers := map[byte]string{'1': "Basic", '2': "Intermediate", '3': "Advanced", '4': "Expert"}

	rows := readCatalogue(t)
	var listed []string
	for _, row := range rows {
		listed = append(listed, row.sub)
		if ds.Framework.SubCompetency(row.sub) == nil {
			t.Errorf("CATALOGUE.md:%d: %s is not a sub-competency of the model", row.line, row.sub)
		}
		if len(row.phrases) == 0 || len(row.courses) == 0 {
			t.Errorf("CATALOGUE.md:%d: %s lists no phrase or no course", row.line, row.sub)
		}
		for _, topic := range row.topics {
			if !slices.Contains(vocabulary, topic) {
				t.Errorf("CATALOGUE.md:%d: topic %q is not in the vocabulary of README.md", row.line, topic)
			}
		}
		for code, tier := range row.courses {
			c, ok := courses[code]
			switch {
			case !ok:
				t.Errorf("CATALOGUE.md:%d: %s: %s is not a course", row.line, row.sub, code)
				continue
			case !c.Active():
				t.Errorf("CATALOGUE.md:%d: %s: %s is retired, listed as active", row.line, row.sub, code)
			case tiers[code[strings.IndexByte(code, '-')+1]] != tier:
				t.Errorf("CATALOGUE.md:%d: %s: %s is listed as %s", row.line, row.sub, code, tier)
			}
			text := courseText(c)
			if !slices.ContainsFunc(row.phrases, func(p string) bool { return strings.Contains(text, strings.ToLower(p)) }) {
				t.Errorf("CATALOGUE.md:%d: %s: %s contains none of %q", row.line, row.sub, code, row.phrases)
			}
		}
	}
	if want := ds.Framework.SubCompetencyCodes(); !slices.Equal(listed, want) {
		t.Errorf("CATALOGUE.md rows:\n got %v\nwant %v (every sub-competency once, in model order)", listed, want)
	}
}

// TestCataloguePhrasesDoNotLeak checks the other direction: an active
// course that contains a row's phrase is listed in that row, so the map
// tells rule authors everything their phrase rules will match.
func TestCataloguePhrasesDoNotLeak(t *testing.T) {
	ds := loadSeeds(t)
	for _, row := range readCatalogue(t) {
		for _, c := range ds.Courses {
			if !c.Active() {
				continue
			}
			text := courseText(c)
			for _, p := range row.phrases {
				if _, listed := row.courses[c.Code]; strings.Contains(text, strings.ToLower(p)) && !listed {
					t.Errorf("CATALOGUE.md:%d: %s contains %q but is not listed for %s", row.line, c.Code, p, row.sub)
				}
			}
		}
	}
}

// TestTopicsComeFromTheVocabulary checks that every course topic is in
// the vocabulary documented in seeds/README.md, and that the vocabulary
// lists no topic that no course uses.
func TestTopicsComeFromTheVocabulary(t *testing.T) {
	ds := loadSeeds(t)
	vocabulary := readVocabulary(t)
	if len(vocabulary) < 20 {
		t.Fatalf("README.md lists %d topics; the section's format may have changed", len(vocabulary))
	}
	used := map[string]bool{}
	for _, c := range ds.Courses {
		for _, topic := range c.Topics {
			used[topic] = true
			if !slices.Contains(vocabulary, topic) {
				t.Errorf("%s: topic %q is not in the vocabulary of seeds/README.md", c.Code, topic)
			}
			if topic != strings.ToLower(topic) {
				t.Errorf("%s: topic %q is not lower case", c.Code, topic)
			}
		}
	}
	for _, topic := range vocabulary {
		if !used[topic] {
			t.Errorf("vocabulary topic %q is used by no course", topic)
		}
	}
}
