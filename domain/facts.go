package domain

// RuleRef names a rule that contributed to a fact: its id and where it is
// written.
type RuleRef struct {
	ID   string `json:"id"`
	File string `json:"file"`
	Line int    `json:"line"`
}

// Coverage is a derived fact: course Course satisfies sub-competency
// SubCompetency at Level. When several rules give the same fact the highest
// level wins and every contributing rule is listed in Rules.
type Coverage struct {
	Course        string    `json:"course"`
	SubCompetency string    `json:"subCompetency"`
	Level         string    `json:"level"`
	Rules         []RuleRef `json:"rules"`
}

// Requirement is a derived fact: position Position needs sub-competency
// SubCompetency at Level.
type Requirement struct {
	Position      string    `json:"position"`
	SubCompetency string    `json:"subCompetency"`
	Level         string    `json:"level"`
	Rules         []RuleRef `json:"rules"`
}

// CourseFacts is the coverage of one course as derived by the rule set with
// revision Revision. It is stored as one record per course.
type CourseFacts struct {
	Course   string     `json:"course"`
	Revision string     `json:"revision"`
	Coverage []Coverage `json:"coverage"`
}

// PositionFacts is the requirements of one position as derived by the rule
// set with revision Revision. It is stored as one record per position.
type PositionFacts struct {
	Position     string        `json:"position"`
	Revision     string        `json:"revision"`
	Requirements []Requirement `json:"requirements"`
}
