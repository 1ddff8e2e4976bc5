package graph

import (
	"cmap/domain"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Values of extensions.code in error responses.
const (
	codeBadUserInput = "BAD_USER_INPUT"
	codeNotFound     = "NOT_FOUND"
	codeConflict     = "CONFLICT"
	codeInternal     = "INTERNAL"
	// codeUnauthenticated: no credentials, or refused ones (see @auth).
	codeUnauthenticated = "UNAUTHENTICATED"
	// codeForbidden: the caller lacks the role the field needs.
	codeForbidden = "FORBIDDEN"
)

// presentError returns the error presenter: it maps the code of an
// *domain.Error to extensions.code (with extensions.field, the input path,
// for bad input), keeps gqlgen's own request errors (parse, validation,
// complexity) and those of the limits as they are, presents a resolver
// stopped by the request's end as TIMEOUT, and turns anything else into
// "internal error", logging the cause.
func presentError(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr, _ := errors.AsType[*gqlerror.Error](err)
		if gqlErr == nil {
			gqlErr = gqlerror.WrapPath(graphql.GetPath(ctx), err)
		}
		out := &gqlerror.Error{Message: gqlErr.Message, Path: gqlErr.Path, Locations: gqlErr.Locations, Rule: gqlErr.Rule}
		e, ok := errors.AsType[*domain.Error](err)
		switch {
		case ok && e.Code == domain.EINVALID:
			field := joinField(argumentPath(ctx, gqlErr.Path), e.Field)
			out.Message = e.Message
			if field != "" {
				out.Message = field + ": " + e.Message
			}
			out.Path = responsePath(ctx, gqlErr.Path)
			out.Extensions = map[string]any{"code": codeBadUserInput, "field": field}
		case ok && e.Code == domain.ENOTFOUND:
			out.Message = e.Error()
			out.Extensions = map[string]any{"code": codeNotFound}
		case ok && e.Code == domain.ECONFLICT:
			out.Message = e.Error()
			out.Extensions = map[string]any{"code": codeConflict}
		case ok && e.Code == domain.EUNAUTHENTICATED:
			out.Message = e.Message
			out.Extensions = map[string]any{"code": codeUnauthenticated}
		case ok && e.Code == domain.EFORBIDDEN:
			out.Message = e.Message
			out.Extensions = map[string]any{"code": codeForbidden}
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			// The request's deadline passed or its client went away: the
			// transport answers TIMEOUT (or nothing); nothing to log.
			out = stoppedError()
			out.Path = gqlErr.Path
		case !ok && gqlErr.Err == nil:
			// An error gqlgen made itself about the request (parse,
			// validation, complexity, a null where the schema allows none):
			// its message is safe to show.
			out.Extensions = gqlErr.Extensions
			if out.Extensions["code"] == nil {
				out.Extensions = map[string]any{"code": codeInternal}
				for k, v := range gqlErr.Extensions {
					out.Extensions[k] = v
				}
			}
		default:
			logger.ErrorContext(ctx, "graphql request failed", "path", gqlErr.Path.String(), "error", err)
			out.Message = "internal error"
			out.Extensions = map[string]any{"code": codeInternal}
		}
		return out
	}
}

// recoverPanic turns a panic in a resolver into an internal error and logs
// it with its stack.
func recoverPanic(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		logger.ErrorContext(ctx, "graphql resolver panicked", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		return &domain.Error{Code: domain.EINTERNAL, Message: "internal error", Err: fmt.Errorf("panic: %v", v)}
	}
}

// argumentPath returns the path inside the arguments of the current field
// when errPath points into them (gqlgen reports a bad argument value, such
// as a malformed Date, at the field's path followed by the argument's), and
// "" otherwise. For [recordCompletion completedOn] it returns "completedOn".
func argumentPath(ctx context.Context, errPath ast.Path) string {
	fieldPath := fieldPathOf(ctx)
	if len(errPath) <= len(fieldPath) || errPath[:len(fieldPath)].String() != fieldPath.String() {
		return ""
	}
	return fieldString(errPath[len(fieldPath):])
}

// responsePath returns the path of the field that failed: errPath without
// any argument path after it.
func responsePath(ctx context.Context, errPath ast.Path) ast.Path {
	if fieldPath := fieldPathOf(ctx); fieldPath != nil && len(errPath) > len(fieldPath) {
		return fieldPath
	}
	return errPath
}

func fieldPathOf(ctx context.Context) ast.Path {
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		return fc.Path()
	}
	return nil
}

// fieldString writes a path as the field path of extensions.field:
// input.completions[0].completedOn.
func fieldString(p ast.Path) string {
	var b strings.Builder
	for _, el := range p {
		switch el := el.(type) {
		case ast.PathIndex:
			fmt.Fprintf(&b, "[%d]", int(el))
		case ast.PathName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(el))
		}
	}
	return b.String()
}

// joinField joins two field paths: "input" and "objectives[2]" give
// "input.objectives[2]".
func joinField(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	case field[0] == '[':
		return prefix + field
	}
	return prefix + "." + field
}

// apiFieldNames maps the domain's names of input fields to the API's where
// they differ.
var apiFieldNames = map[string]string{"completed": "completedOn"}

// inputError returns err with its field path, which names the domain's
// fields, turned into the path of the input in argument arg: the error
// "completions[0].completed" of the input argument becomes
// "input.completions[0].completedOn". Errors without a field path and
// errors of other kinds are returned unchanged.
func inputError(arg string, err error) error {
	e, ok := errors.AsType[*domain.Error](err)
	if !ok || e.Code != domain.EINVALID || e.Field == "" {
		return err
	}
	parts := strings.Split(e.Field, ".")
	for i, p := range parts {
		name, index, _ := strings.Cut(p, "[")
		if api, ok := apiFieldNames[name]; ok {
			parts[i] = api
			if index != "" {
				parts[i] += "[" + index
			}
		}
	}
	c := *e
	c.Field = joinField(arg, strings.Join(parts, "."))
	return &c
}
