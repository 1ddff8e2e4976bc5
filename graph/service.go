package graph

import (
	"context"
	"log/slog"
	"time"

	"cmap/analysis"
	"cmap/app"
	"cmap/domain"
	"cmap/engine"
	"cmap/importer"
	"cmap/ruleplan"
	"cmap/suggest"
)

// Service is what the GraphQL endpoint serves: the generation of the read
// model being served (View), the writes and the what-ifs that need more
// than one generation, and what the transport needs (Idempotent, Logger).
// *app.App is the one implementation; the endpoint asks no more of it than
// this, so that a test can serve over a Service of its own.
type Service interface {
	// View returns the generation being served, which the resolvers
	// read as a Snapshot; a request answers from the one it took (see
	// withView).
	View() app.View
	// Logger is where the endpoint logs what it does not show a client.
	Logger() *slog.Logger
	// Idempotent runs a mutation once per key (see app.App.Idempotent).
	Idempotent(ctx context.Context, key, fingerprint string, run app.IdempotentRun) (answer []byte, replayed bool, err error)

	// The writes of records; each publishes the generation it wrote.
	CreateCourse(ctx context.Context, c *domain.Course) error
	UpdateCourse(ctx context.Context, code string, version int64, edit func(*domain.Course)) (*domain.Course, error)
	DeleteCourse(ctx context.Context, code string, version int64) error
	CreatePosition(ctx context.Context, p *domain.Position) error
	UpdatePosition(ctx context.Context, id string, version int64, edit func(*domain.Position)) (*domain.Position, error)
	DeletePosition(ctx context.Context, id string, version int64) error
	CreatePerson(ctx context.Context, p *domain.Person) error
	UpdatePerson(ctx context.Context, id string, version int64, edit func(*domain.Person)) (*domain.Person, error)
	DeletePerson(ctx context.Context, id string, version int64) error
	RecordCompletion(ctx context.Context, personID, courseCode string, completed time.Time) (*domain.Person, error)

	// The rules: reload them from their folder, preview a record under
	// them, explain a rule's answer for a stored record.
	ReloadRules(ctx context.Context) (app.RulesStatus, error)
	PreviewCourse(ctx context.Context, c *domain.Course) (*app.CoursePreview, error)
	PreviewPosition(ctx context.Context, p *domain.Position) (*app.PositionPreview, error)
	ExplainCourse(ctx context.Context, ruleID, code string) (*engine.Explanation, error)
	ExplainPosition(ctx context.Context, ruleID, id string) (*engine.Explanation, error)

	// The imports of catalogue and records files: planned or applied.
	PlanImport(b *importer.Batch, opts importer.PlanOptions) (*app.ImportPlan, error)
	Import(ctx context.Context, b *importer.Batch, opts importer.PlanOptions, progress func(done, total int)) (*app.ImportPlan, error)

	// The revisions of the competency model: previewed, applied, listed.
	PreviewRevision(ctx context.Context, next *domain.Framework, cw domain.Crosswalk) (*app.RevisionPlan, error)
	ApplyRevision(ctx context.Context, next *domain.Framework, cw domain.Crosswalk) (*app.RevisionPlan, error)
	FrameworkRevisions(ctx context.Context) ([]*domain.FrameworkRevision, error)

	// The API keys and the audit log.
	Keys() *app.Keys
	AuditLog(ctx context.Context, f domain.AuditFilter, p domain.Page) (domain.List[*domain.AuditEntry], error)
	History(ctx context.Context, kind, key string, p domain.Page) (domain.List[*domain.AuditEntry], error)
}

// Snapshot is one generation of the read model, as the resolvers read it:
// the model and rule set, the records, the facts derived for them, the
// analysis answers over them and the what-ifs against them, all of the
// same generation. app.View is the one implementation; its records and
// answers are shared and must not be modified.
//
// The analysis answers keep the names and the meaning of analysis.Index's
// (analysis/doc.go): they are the questions the schema asks, and a second
// vocabulary for them would only need translating back.
type Snapshot interface {
	// The model and the rule set.
	Scale() domain.Scale
	Framework() *domain.Framework
	Competency(code string) (*domain.Competency, error)
	SubCompetency(code string) (*domain.SubCompetency, *domain.Competency, error)
	RuleSet() *engine.RuleSet
	RulesStatus() app.RulesStatus

	// The records.
	Course(code string) (*domain.Course, error)
	Courses(f domain.CourseFilter, p domain.Page) (domain.List[*domain.Course], error)
	CountCourses(f domain.CourseFilter) int
	Position(id string) (*domain.Position, error)
	Positions(f domain.PositionFilter, p domain.Page) (domain.List[*domain.Position], error)
	CountPositions(f domain.PositionFilter) int
	Person(id string) (*domain.Person, error)
	People(f domain.PersonFilter, p domain.Page) (domain.List[*domain.Person], error)
	CountPeople(f domain.PersonFilter) int
	Holders(id string) []*domain.Person

	// The facts.
	Coverage(code string) []domain.Coverage
	Requirements(id string) []domain.Requirement
	SharedRequirements(id string) []domain.Requirement
	CoveredBy(code, minLevel, status string) ([]domain.Coverage, error)
	RequiredBy(code, minLevel string) ([]domain.Requirement, error)

	// The analysis answers.
	Readiness(id string) (*analysis.Readiness, error)
	RecommendContext(ctx context.Context, id string) (*analysis.Recommendation, error)
	MatrixContext(ctx context.Context, f analysis.MatrixFilter) (*analysis.Matrix, error)
	Gaps(minLevel string, overServedAbove int) (*analysis.GapReport, error)
	Demand() []analysis.SubCompetencyDemand
	Organizations() []string
	OrganizationReadiness(org string, top int) (*analysis.OrganizationReadiness, error)
	OrganizationRecommendations(org string, top int) ([]analysis.CourseGapClosure, error)

	// The what-ifs against this generation (nothing is written).
	CourseEditImpact(code string, edit func(*domain.Course)) (*app.CourseImpact, error)
	CourseDeletionImpact(code string) (*app.CourseImpact, error)
	NewCourseImpact(c *domain.Course) (*app.CourseImpact, error)
	PlanRules(changes []ruleplan.FileChange) (*ruleplan.Plan, error)
	Suggestions(sub string, top int) ([]suggest.Suggestion, error)
}
