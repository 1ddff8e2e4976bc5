// Package workload generates cmap's reference workload, "DoD scale" (see
// docs/performance.md), as a seeds folder and a rules folder in the formats
// `cmap serve --seeds DIR --rules DIR` reads, so that a benchmark exercises
// the real seeding path.
//
// At scale 1 the workload is:
//
//   - 1,000 courses: a title, a two-sentence description and 4-8
//     objectives, about 900 bytes of text each, 2-4 topics from the
//     shipped topic vocabulary, 8-120 hours, a tier in the code (SCO-1xx
//     Basic ... 4xx Expert), 5% retired, a third of the upper-tier courses
//     with a prerequisite one tier down in the same area;
//   - 15,000 positions over about 300 organizations in the four
//     categories (SCO, IA, HQ, CCMD), with grades, key billets (a quarter)
//     and regions;
//   - 20,000 people, nine in ten holding a position, nine in ten with 1-9
//     completions (about 90,000 in all), dated 2015-2025;
//   - 500 course rules in the shape of the shipped ones: mentions() of
//     1-3 phrases, some with an hours or tier condition or a topic
//     alternative, covering a sub-competency at the course's tier or at a
//     level; about 10 coverage facts per course;
//   - 200 position rules over category, grade (gradeAtLeast), key billet
//     and region, requiring sub-competencies, ranges (6.C-6.E) and whole
//     competencies (1.*); about 16 requirements per position (18 with
//     seed 1; 15-26 over other seeds).
//
// The sub-competencies are those of the competency model given to
// Generate (cmap's shipped Security Cooperation model has 58); the scale
// is domain.DefaultScale, the shipped one. Course text is made of
// invented words with English function words between them; the phrases
// rules look for are runs of invented words, planted in two sentences in
// five.
//
// Scale multiplies every count (courses, positions, people and both
// kinds of rules), with small floors so that a tiny scale still has
// something of every kind. Because rules scale with the catalogue, the
// facts per course and per position grow with the scale (up to every
// sub-competency). The output is a function of the Config alone: the same
// Config gives byte-identical files.
package workload

import (
	"cmap/domain"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"cmap/engine"
)

// The sizes of the reference workload at scale 1.
const (
	DoDCourses       = 1000
	DoDPositions     = 15000
	DoDPeople        = 20000
	DoDCourseRules   = 500
	DoDPositionRules = 200
)

// MaxScale bounds Config.Scale: a thousand times DoD scale is far beyond
// anything a single machine seeds.
const MaxScale = 1000

// Config chooses a workload.
type Config struct {
	// Scale multiplies the DoD-scale counts: 1 is DoD scale, 10 the
	// stress size, 0.01 a test-sized workload. It must be in (0, MaxScale].
	Scale float64
	// Seed seeds the random choices; the same Config gives the same
	// workload.
	Seed uint64
}

// Sizes are the numbers of records and rules of a workload.
type Sizes struct {
	Courses, Positions, People int
	// CourseRules and PositionRules count the rules of each kind.
	CourseRules, PositionRules int
}

// Sizes returns the counts Generate makes for c: each DoD-scale count
// times Scale, rounded, but at least a few of each kind.
func (c Config) Sizes() Sizes {
	n := func(base, floor int) int { return max(floor, int(math.Round(float64(base)*c.Scale))) }
	return Sizes{
		Courses:       n(DoDCourses, 8),
		Positions:     n(DoDPositions, 8),
		People:        n(DoDPeople, 12),
		CourseRules:   n(DoDCourseRules, 6),
		PositionRules: n(DoDPositionRules, 4),
	}
}

// Workload is a generated catalogue and rule set.
type Workload struct {
	Config Config
	Sizes  Sizes
	// Framework is the competency model the rules refer to; ModelName
	// and Model are its file, written as is into the seeds folder.
	Framework *domain.Framework
	ModelName string
	Model     []byte
	Scale     domain.Scale
	Courses   []domain.Course
	Positions []domain.Position
	// People carry their completions, ordered by date.
	People []domain.Person
	// RuleFiles maps each rule file's slash-separated path inside the
	// rules folder to its content; "scale.yaml" is the scale.
	RuleFiles map[string]string
}

// Completions returns the number of completions of all people.
func (w *Workload) Completions() int {
	n := 0
	for _, p := range w.People {
		n += len(p.Completions)
	}
	return n
}

// Generate makes the workload of cfg over the competency model fw, read
// from the file modelName whose content is model (written unchanged into
// the seeds folder).
func Generate(cfg Config, fw *domain.Framework, modelName string, model []byte) (*Workload, error) {
	if !(cfg.Scale > 0 && cfg.Scale <= MaxScale) {
		return nil, fmt.Errorf("workload: scale %g is not in (0, %d]", cfg.Scale, MaxScale)
	}
	if fw == nil || len(fw.SubCompetencyCodes()) < 4 {
		return nil, fmt.Errorf("workload: the competency model %s needs at least 4 sub-competencies", modelName)
	}
	g := &generator{
		rng:   rand.New(rand.NewPCG(cfg.Seed, 0x636d6170)), // "cmap"
		subs:  fw.SubCompetencyCodes(),
		scale: domain.DefaultScale(),
	}
	w := &Workload{Config: cfg, Sizes: cfg.Sizes(), Framework: fw, ModelName: modelName, Model: model, Scale: g.scale}
	g.words()
	g.makePhrases(max(16, w.Sizes.CourseRules*8/5))
	w.Courses = g.courses(w.Sizes.Courses)
	w.Positions = g.positions(w.Sizes.Positions)
	w.People = g.people(w.Sizes.People, w.Courses, w.Positions)
	w.RuleFiles = map[string]string{engine.ScaleFile: g.scaleFile()}
	g.courseRules(w.Sizes.CourseRules, fw, w.RuleFiles)
	g.positionRules(w.Sizes.PositionRules, fw, w.RuleFiles)
	return w, nil
}

// generator holds the random source and the vocabularies of one Generate.
type generator struct {
	rng     *rand.Rand
	subs    []string
	scale   domain.Scale
	vocab   []string // invented words
	phrases []string // runs of 1-3 invented words that rules look for
}

// vocabularySize is the number of invented words course text is made of.
const vocabularySize = 3000

// syllables build the invented words: consonant, vowel.
var syllables = func() []string {
	var out []string
	for _, c := range "bdfgklmnprstvz" {
		for _, v := range "aeiou" {
			out = append(out, string(c)+string(v))
		}
	}
	return out
}()

// words makes the vocabulary: distinct invented words of three syllables,
// a third of them with a closing consonant (about 7 letters). Word i is
// i*7919 written in base len(syllables), which is one-to-one.
func (g *generator) words() {
	s := len(syllables)
	g.vocab = make([]string, vocabularySize)
	for i := range g.vocab {
		k := (i * 7919) % (s * s * s)
		w := syllables[k%s] + syllables[k/s%s] + syllables[k/(s*s)]
		if i%3 == 0 {
			w += "n"
		}
		g.vocab[i] = w
	}
}

// makePhrases makes n distinct phrases of 1-3 invented words (one word
// for one phrase in six: a single word also turns up in text it was not
// planted in).
func (g *generator) makePhrases(n int) {
	seen := map[string]bool{}
	for len(g.phrases) < n {
		ws := make([]string, []int{1, 2, 2, 2, 3, 3}[g.rng.IntN(6)])
		for i := range ws {
			ws[i] = g.pick(g.vocab)
		}
		p := strings.Join(ws, " ")
		if !seen[p] {
			seen[p] = true
			g.phrases = append(g.phrases, p)
		}
	}
}

// pick returns a random element of list.
func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// between returns a random integer in [lo, hi].
func (g *generator) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// functionWords sit between the invented words, so that text has the
// rhythm (and the trie misses) of English.
var functionWords = []string{"the", "and", "of", "to", "in", "for", "with", "on", "by", "a",
	"from", "at", "as", "their", "its", "under", "through", "between", "partner", "security",
	"program", "plan", "office", "nation", "support", "staff"}

// sentence returns words words of text, starting with a capital and ending
// with a full stop; two in five carry one of the rules' phrases.
func (g *generator) sentence(words int) string {
	ws := make([]string, words)
	for i := range ws {
		if g.rng.IntN(10) < 3 {
			ws[i] = g.pick(functionWords)
		} else {
			ws[i] = g.pick(g.vocab)
		}
	}
	if g.rng.IntN(5) < 2 {
		ws[g.rng.IntN(words)] = g.pick(g.phrases)
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// title returns a title of n capitalised words.
func (g *generator) title(n int) string {
	ws := make([]string, n)
	for i := range ws {
		w := g.pick(g.vocab)
		ws[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(ws, " ")
}

// Course areas (code prefixes), delivery modes and providers, as in the
// shipped sample catalogue.
var (
	areas     = []string{"SCO", "SCR", "SCP", "AME", "SCM", "SCF", "IAC", "IAE", "POL", "TSF", "EUM"}
	deliverys = []string{domain.DeliveryResident, domain.DeliveryOnline, domain.DeliveryBlended}
	providers = []string{"Defense Security Cooperation University", "Naval Postgraduate School",
		"Defense Acquisition University", "Army Security Assistance Command",
		"Air Force Security Assistance and Cooperation Directorate", "Navy International Programs Office",
		"Institute for Security Governance", "Defense Institute of International Legal Studies",
		"Defense Language Institute Foreign Language Center", "Daniel K. Inouye Asia-Pacific Center for Security Studies"}
)

// Topics is the shipped topic vocabulary (seeds/README.md): every course
// topic is one of these.
var Topics = []string{"assessment monitoring evaluation", "authorities and legal frameworks",
	"automated systems", "building partner capacity", "capability gaps", "case closure",
	"case management", "cross-cultural engagement", "defense institution building",
	"direct commercial sales", "education and training", "end-use monitoring", "exportability",
	"financial management", "foreign comparative testing", "foreign disclosure",
	"foreign military sales", "human rights vetting", "industry engagement",
	"interagency coordination", "international acquisition", "international agreements",
	"international armaments cooperation", "interoperability", "language and communication",
	"leadership", "lessons learned", "letter of offer and acceptance", "letter of request",
	"military engagement", "negotiations", "political-military affairs", "ppbe",
	"price and availability", "program protection", "program reviews", "regional studies",
	"resource prioritization", "risk management", "security agreements",
	"security cooperation planning", "security cooperation policy", "technology release",
	"technology security", "theater campaign planning", "total package approach", "trade shows"}

// courses makes n courses. Course i is in area i mod 11 and tier
// (i / 11) mod 4 + 1; its number counts the courses of its area and tier,
// with as many digits as the largest count needs.
func (g *generator) courses(n int) []domain.Course {
	tiers := len(g.scale.Levels)
	perSlot := (n + len(areas)*tiers - 1) / (len(areas) * tiers)
	digits := max(2, len(fmt.Sprint(perSlot)))
	// byAreaTier[area][tier] lists the codes made so far, for prerequisites.
	byAreaTier := make([][][]string, len(areas))
	for a := range byAreaTier {
		byAreaTier[a] = make([][]string, tiers+1)
	}
	out := make([]domain.Course, n)
	for i := range out {
		area, tier, seq := i%len(areas), 1+(i/len(areas))%tiers, i/(len(areas)*tiers)
		code := fmt.Sprintf("%s-%d%0*d", areas[area], tier, digits, seq+1)
		c := domain.Course{
			Code:         code,
			Title:        g.title(g.between(3, 6)),
			Description:  g.sentence(g.between(20, 26)) + " " + g.sentence(g.between(20, 26)),
			Hours:        float64(8 * g.between(1, 15)),
			DeliveryMode: g.pick(deliverys),
			Provider:     g.pick(providers),
			Status:       domain.CourseActive,
			Objectives:   []string{},
			Topics:       []string{},
		}
		for range g.between(4, 8) {
			c.Objectives = append(c.Objectives, g.sentence(g.between(11, 16)))
		}
		for range g.between(2, 4) {
			if t := g.pick(Topics); !slices.Contains(c.Topics, t) {
				c.Topics = append(c.Topics, t)
			}
		}
		if g.rng.IntN(20) == 0 {
			c.Status = domain.CourseRetired
		}
		c.Prerequisites = []string{}
		if lower := byAreaTier[area][tier-1]; tier > 1 && len(lower) > 0 && g.rng.IntN(3) == 0 {
			c.Prerequisites = append(c.Prerequisites, g.pick(lower))
		}
		byAreaTier[area][tier] = append(byAreaTier[area][tier], code)
		out[i] = c
	}
	return out
}

// organization is where positions are: its name, category and region.
type organization struct {
	name, category, region string
}

// countries are partner nations by the region of their combatant command.
var countries = map[string][]string{
	"EUCOM":     {"Poland", "Romania", "Estonia", "Latvia", "Lithuania", "Greece", "Bulgaria", "Georgia", "Ukraine", "Norway", "Finland", "Czech Republic", "Slovakia", "Croatia", "Albania"},
	"INDOPACOM": {"Philippines", "Japan", "Korea", "Australia", "Thailand", "Indonesia", "Vietnam", "Malaysia", "India", "New Zealand", "Singapore", "Mongolia"},
	"CENTCOM":   {"Jordan", "Saudi Arabia", "Kuwait", "Bahrain", "Qatar", "Oman", "Egypt", "Iraq", "Kazakhstan", "Uzbekistan", "Lebanon"},
	"AFRICOM":   {"Kenya", "Ghana", "Nigeria", "Senegal", "Morocco", "Tunisia", "Botswana", "Djibouti", "Niger", "Somalia"},
	"SOUTHCOM":  {"Colombia", "Peru", "Chile", "Brazil", "Honduras", "Guatemala", "El Salvador", "Ecuador", "Paraguay", "Panama"},
	"NORTHCOM":  {"Mexico", "Bahamas"},
}

// regions are the keys of countries in a fixed order, and CONUS.
var regions = []string{"EUCOM", "INDOPACOM", "CENTCOM", "AFRICOM", "SOUTHCOM", "NORTHCOM", "CONUS"}

// organizations lists about 300 organizations: security cooperation
// offices in every partner nation, implementing agencies, DSCA
// directorates and combatant command staffs.
func organizations() []organization {
	var out []organization
	for _, r := range regions[:6] {
		for _, c := range countries[r] {
			for _, kind := range []string{"ODC", "OSC", "SDO/DATT", "OMC"} {
				out = append(out, organization{kind + " " + c, "SCO", r})
			}
		}
	}
	for _, ia := range []string{"USASAC", "NIPO", "AFSAC", "NETSAFA", "SATFA", "AFSAT", "USACE International", "DLA International", "DCMA International", "DTSA"} {
		for _, office := range []string{"Case Management", "Training", "Logistics", "Finance", "Policy"} {
			out = append(out, organization{ia + " " + office, "IA", "CONUS"})
		}
	}
	for _, d := range []string{"Front Office", "Office of Strategy, Plans and Policy", "Office of International Operations", "Office of Business Operations", "Office of the General Counsel", "Defense Security Cooperation University", "Weapons Directorate", "Building Partner Capacity Directorate"} {
		out = append(out, organization{"DSCA " + d, "HQ", "CONUS"})
	}
	staffs := map[string]string{"EUCOM": "USEUCOM", "INDOPACOM": "USINDOPACOM", "CENTCOM": "USCENTCOM", "AFRICOM": "USAFRICOM", "SOUTHCOM": "USSOUTHCOM", "NORTHCOM": "USNORTHCOM"}
	for _, r := range regions[:6] {
		for _, j := range []string{"J4", "J45", "J5", "J7", "J8", "J9"} {
			out = append(out, organization{staffs[r] + " " + j, "CCMD", r})
		}
	}
	return out
}

// Billet titles by category, and grades.
var (
	titles = map[string][]string{
		"SCO":  {"Chief, Security Cooperation Office", "Deputy Chief", "Foreign Military Sales Program Manager", "Security Cooperation Training Manager", "Security Assistance Officer", "Defense Attache", "Logistics Officer", "Budget Analyst"},
		"IA":   {"Country Program Manager", "Case Manager", "Financial Analyst", "Training Program Manager", "Logistics Management Specialist", "Technology Transfer Specialist"},
		"HQ":   {"Country Portfolio Director", "Policy Analyst", "Program Analyst", "Assessment Specialist", "Financial Policy Officer", "Legal Advisor"},
		"CCMD": {"Security Cooperation Planner", "Theater Campaign Planner", "Assessment Officer", "Regional Desk Officer", "Exercise Planner"},
	}
	grades = []string{"GS-9", "GS-11", "GS-12", "GS-13", "GS-14", "GS-15", "O-3", "O-4", "O-5", "O-6", "E-7", "E-8", "E-9"}
)

// positions makes n positions, spread over the organizations with the
// first ones larger (the minimum of two draws).
func (g *generator) positions(n int) []domain.Position {
	orgs := organizations()
	g.rng.Shuffle(len(orgs), func(i, j int) { orgs[i], orgs[j] = orgs[j], orgs[i] })
	digits := max(5, len(fmt.Sprint(n)))
	out := make([]domain.Position, n)
	for i := range out {
		o := orgs[min(g.rng.IntN(len(orgs)), g.rng.IntN(len(orgs)))]
		out[i] = domain.Position{
			ID:           fmt.Sprintf("POS-%0*d", digits, i+1),
			Title:        g.pick(titles[o.category]),
			Organization: o.name,
			Grade:        g.pick(grades),
			Category:     o.category,
			KeyBillet:    g.rng.IntN(4) == 0,
			Region:       o.region,
		}
	}
	return out
}

// Invented names of people.
var (
	firstNames = []string{"Amy", "Ana", "Ben", "Carla", "Chen", "Dana", "David", "Elena", "Eric", "Fatima",
		"Grace", "Hassan", "Ivan", "James", "Jia", "Karen", "Kofi", "Laura", "Luis", "Maria",
		"Mark", "Mei", "Nadia", "Omar", "Paul", "Priya", "Rachel", "Raj", "Sam", "Sara",
		"Tom", "Una", "Victor", "Wei", "Yusuf", "Zoe"}
	lastNames = []string{"Adams", "Baker", "Brooks", "Castro", "Chen", "Diaz", "Evans", "Foster", "Garcia", "Gray",
		"Hughes", "Ito", "Jensen", "Khan", "Kim", "Lopez", "Meyer", "Nguyen", "Novak", "Okafor",
		"Patel", "Price", "Reed", "Rossi", "Sato", "Silva", "Stone", "Tanaka", "Walker", "Ward",
		"Weber", "Young"}
)

// completionsFrom and completionsTo bound the completion dates.
var (
	completionsFrom = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	completionsTo   = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
)

// people makes n people: nine in ten hold a random position, nine in ten
// completed 1-9 distinct courses (retired ones included), ordered by date.
func (g *generator) people(n int, courses []domain.Course, positions []domain.Position) []domain.Person {
	digits := max(5, len(fmt.Sprint(n)))
	days := int(completionsTo.Sub(completionsFrom).Hours() / 24)
	out := make([]domain.Person, n)
	for i := range out {
		p := domain.Person{
			ID:          fmt.Sprintf("P-%0*d", digits, i+1),
			Name:        g.pick(firstNames) + " " + g.pick(lastNames),
			Completions: []domain.Completion{},
		}
		if g.rng.IntN(10) > 0 {
			p.PositionID = positions[g.rng.IntN(len(positions))].ID
		}
		if g.rng.IntN(10) > 0 {
			taken := map[string]bool{}
			for range g.between(1, min(9, len(courses))) {
				c := courses[g.rng.IntN(len(courses))].Code
				if taken[c] {
					continue
				}
				taken[c] = true
				p.Completions = append(p.Completions, domain.Completion{CourseCode: c, Completed: completionsFrom.AddDate(0, 0, g.rng.IntN(days+1))})
			}
			slices.SortStableFunc(p.Completions, func(a, b domain.Completion) int { return a.Completed.Compare(b.Completed) })
		}
		out[i] = p
	}
	return out
}

// scaleFile returns rules/scale.yaml for the scale.
func (g *generator) scaleFile() string {
	return fmt.Sprintf("# The proficiency scale, lowest level first.\nname: %s\nlevels: [%s]\n", g.scale.Name, strings.Join(g.scale.Levels, ", "))
}

// quoted returns the strings as expr string literals, comma-separated.
func quoted(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// yamlString returns s as a double-quoted YAML scalar.
func yamlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// level returns a random level of the scale, lower ones more often
// (4:3:2:1 on a four-level scale).
func (g *generator) level() string {
	n := len(g.scale.Levels)
	x := g.rng.IntN(n * (n + 1) / 2)
	for i := range n {
		if x < n-i {
			return g.scale.Levels[i]
		}
		x -= n - i
	}
	return g.scale.Levels[n-1]
}

// courseRules writes n course rules into files: phrase rules in one file
// per competency (rules/courses/competency-N.yaml). Like the shipped rules
// they exclude nothing: a retired course keeps its coverage.
func (g *generator) courseRules(n int, fw *domain.Framework, files map[string]string) {
	bodies := map[string]*strings.Builder{}
	for i := range n {
		sub := g.pick(g.subs)
		phrases := make([]string, g.between(1, 3))
		for j := range phrases {
			phrases[j] = g.pick(g.phrases)
		}
		cond := "mentions(" + quoted(phrases) + ")"
		yield, what := engine.TierLevel, "at their tier"
		switch g.rng.IntN(10) {
		case 0, 1, 2:
			h := 8 * g.between(2, 8)
			cond += fmt.Sprintf(" && course.hours >= %d", h)
			yield = g.level()
			what = fmt.Sprintf("at %s when they last %d hours or more", yield, h)
		case 3:
			l := g.scale.Levels[1+g.rng.IntN(len(g.scale.Levels)-1)]
			cond += fmt.Sprintf(" && course.level >= %q", l)
			what = fmt.Sprintf("at their tier from %s up", l)
		case 4:
			t := g.pick(Topics)
			cond = fmt.Sprintf("hasTopic(%q) || %s", t, cond)
			yield = g.scale.Levels[0]
			what = fmt.Sprintf("at %s, as do courses on %s", yield, t)
		}
		comp := domain.CompetencyOf(sub)
		b := bodies[comp]
		if b == nil {
			b = &strings.Builder{}
			fmt.Fprintf(b, "# Course coverage: %s %s (generated).\nrules:\n", comp, fw.Competency(comp).Title)
			bodies[comp] = b
		}
		id := strings.ToLower(strings.ReplaceAll(sub, ".", "")) + fmt.Sprintf("-%03d", i+1)
		fmt.Fprintf(b, "  - id: %s\n    description: %s\n    course: %s\n    covers: {%s: %s}\n",
			id, yamlString(fmt.Sprintf("Courses that mention %s cover %s %s.", strings.Join(phrases, " or "), sub, what)),
			yamlString(cond), sub, yield)
	}
	for comp, b := range bodies {
		files["courses/competency-"+strings.TrimSuffix(comp, ".0")+".yaml"] = b.String()
	}
}

// positionRules writes n position rules, one file per category they test
// (rules/positions/sco.yaml ...) and workforce.yaml for those that test
// none.
func (g *generator) positionRules(n int, fw *domain.Framework, files map[string]string) {
	categories := []string{"SCO", "IA", "HQ", "CCMD"}
	bodies := map[string]*strings.Builder{}
	for i := range n {
		var parts []string
		file := "workforce"
		if g.rng.IntN(10) > 0 {
			c := g.pick(categories)
			parts = append(parts, fmt.Sprintf("position.category == %q", c))
			file = strings.ToLower(c)
		}
		if g.rng.IntN(4) > 0 {
			parts = append(parts, fmt.Sprintf("gradeAtLeast(%q, %q)", grades[g.rng.IntN(6)], grades[6+g.rng.IntN(4)]))
		}
		if g.rng.IntN(2) == 0 {
			parts = append(parts, "position.keyBillet")
		}
		switch g.rng.IntN(6) {
		case 0, 1, 2:
			parts = append(parts, fmt.Sprintf("position.region == %q", g.pick(regions)))
		case 3:
			parts = append(parts, fmt.Sprintf("position.region != %q", g.pick(regions)))
		}
		if len(parts) == 0 {
			parts = append(parts, "true")
		}
		var reqs []string
		given := map[string]bool{}
	yields:
		for range g.between(1, 2) {
			code, subs := g.requirementCode(fw)
			for _, s := range subs {
				if given[s] {
					continue yields // a rule gives each sub-competency once
				}
			}
			for _, s := range subs {
				given[s] = true
			}
			reqs = append(reqs, code+": "+g.level())
		}
		b := bodies[file]
		if b == nil {
			b = &strings.Builder{}
			fmt.Fprintf(b, "# Position requirements (generated): %s.\nrules:\n", file)
			bodies[file] = b
		}
		fmt.Fprintf(b, "  - id: %s-%03d\n    description: %s\n    position: %s\n    requires: {%s}\n",
			file, i+1, yamlString("Positions where "+strings.Join(parts, " and ")+" need these levels."),
			yamlString(strings.Join(parts, " && ")), strings.Join(reqs, ", "))
	}
	for file, b := range bodies {
		files["positions/"+file+".yaml"] = b.String()
	}
}

// requirementCode returns what a position rule requires, and the
// sub-competencies that covers: mostly one sub-competency, sometimes a
// range of two or three in one competency, rarely a whole competency
// (1.*).
func (g *generator) requirementCode(fw *domain.Framework) (string, []string) {
	sub := g.pick(g.subs)
	comp := fw.Competency(domain.CompetencyOf(sub))
	all := make([]string, len(comp.SubCompetencies))
	for i, s := range comp.SubCompetencies {
		all[i] = s.Code
	}
	switch x := g.rng.IntN(20); {
	case x == 0:
		return strings.TrimSuffix(comp.Code, "0") + "*", all
	case x < 5:
		i := slices.Index(all, sub)
		if j := min(len(all)-1, i+1+g.rng.IntN(2)); j > i {
			return sub + "-" + all[j], all[i : j+1]
		}
	}
	return sub, []string{sub}
}
