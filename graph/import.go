package graph

import (
	"cmap/domain"
	"context"
	"fmt"
	"io"

	"github.com/99designs/gqlgen/graphql"

	"cmap/app"
	"cmap/importer"
)

// MaxImportBytes bounds the files of one import request, together.
const MaxImportBytes = 32 << 20

// importRole is the role that writes each kind of record an import holds.
var importRole = map[importer.Kind]domain.Role{
	importer.Courses:     domain.RoleEditor,
	importer.Positions:   domain.RoleEditor,
	importer.People:      domain.RoleRecords,
	importer.Completions: domain.RoleRecords,
}

// importFiles reads the uploaded files and plans them (dryRun) or imports
// them. The caller must hold the role that writes each kind of record the
// files hold; the field's own @auth role is one of them. Problems of the
// files are the result's rejections, not errors. An import, once started,
// runs to its end even if the request is cancelled or runs out of time:
// it is all or nothing.
func (r *mutationResolver) importFiles(ctx context.Context, uploads []*graphql.Upload, dryRun bool, maps []string, prune bool) (*app.ImportPlan, error) {
	m, err := importer.ParseMap(maps)
	if err != nil {
		return nil, domain.Invalid("map", "%v", err)
	}
	files := make([]importer.File, 0, len(uploads))
	total := 0
	for i, u := range uploads {
		data, err := io.ReadAll(io.LimitReader(u.File, int64(MaxImportBytes-total)+1))
		if err != nil {
			return nil, fmt.Errorf("reading upload %d: %w", i, err)
		}
		if total += len(data); total > MaxImportBytes {
			return nil, domain.Invalid(fmt.Sprintf("files[%d]", i), "the files hold more than %d bytes together", MaxImportBytes)
		}
		files = append(files, importer.File{Name: u.Filename, Data: data})
	}
	batch, problems := importer.Read(files, importer.Options{Map: m})
	for _, k := range batch.Kinds() {
		if err := domain.Authorize(ctx, importRole[k]); err != nil {
			return nil, err
		}
	}
	if len(problems) > 0 {
		return &app.ImportPlan{Plan: &importer.Plan{Files: batch.Files, Rejections: problems.Sort(), Ignored: batch.Ignored}, DryRun: dryRun}, nil
	}
	opts := importer.PlanOptions{Prune: prune}
	if dryRun {
		return r.App.PlanImport(batch, opts)
	}
	return r.App.Import(context.WithoutCancel(ctx), batch, opts, nil)
}
