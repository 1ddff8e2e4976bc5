package seed

import (
	"cmap/domain"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"cmap/diag"
	"cmap/yamldiag"
)

// courses reads courses.yaml: a mapping whose one key, courses, lists the
// courses. Each course is decoded and checked on its own, so that one bad
// course does not hide the problems of the others. Prerequisites must name
// courses of the file and must not form a cycle.
func (c *checker) courses(path string, data []byte) []domain.Course {
	// courseLines stays nil, and references to courses unchecked, until
	// the list of courses is found.
	c.courseLines = nil
	// go-yaml places some nodes and errors past the end of a line or of
	// the file: keep the diagnostics inside it.
	defer func(first int) {
		for i := first; i < len(*c.diags); i++ {
			(*c.diags)[i].Pos = (*c.diags)[i].Pos.Within(data)
		}
	}(len(*c.diags))
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		*c.diags = append(*c.diags, yamldiag.Error(path, err))
		return nil
	}
	if len(file.Docs) > 1 {
		c.diags.Add(yamldiag.DocumentPos(path, file.Docs[1]), "%s holds one YAML document, this is the second", CoursesFile)
	}
	var list ast.Node
	if len(file.Docs) > 0 {
		list = c.coursesList(path, file.Docs[0].Body)
	}
	seq, ok := list.(*ast.SequenceNode)
	if !ok {
		if list != nil {
			c.diags.Add(yamldiag.NodePos(path, list), "courses must be a list of courses")
		}
		return nil
	}

	c.courseLines = map[string]diag.Pos{}
	var courses []domain.Course
	var nodes []ast.Node
	for _, n := range seq.Values {
		var course domain.Course
		if err := yaml.NodeToValue(n, &course, yaml.DisallowUnknownField()); err != nil {
			msg := courseDecodeMessage(n, err)
			if course.Code != "" {
				msg = "course " + course.Code + ": " + msg
			}
			c.diags.Add(yamldiag.Error(path, err).Pos, "%s", msg)
			c.reject("course", course.Code) // as far as it was decoded
			continue
		}
		if err := course.Validate(); err != nil {
			field := domain.ErrorField(err)
			if field == "code" {
				c.diags.Add(yamldiag.FieldPos(path, n, field), "%s", err)
			} else {
				c.diags.Add(yamldiag.FieldPos(path, n, field), "course %s: %s", course.Code, err)
			}
			c.reject("course", course.Code)
			continue
		}
		if c.duplicate(c.courseLines, yamldiag.FieldPos(path, n, "code"), "course", course.Code) {
			continue
		}
		courses = append(courses, course)
		nodes = append(nodes, n)
	}

	for i, course := range courses {
		for j, p := range course.Prerequisites {
			if c.unknown(c.courseLines, "course", p) {
				c.diags.Add(yamldiag.FieldPos(path, nodes[i], fmt.Sprintf("prerequisites[%d]", j)),
					"course %s: prerequisite %s is not a course in %s", course.Code, p, CoursesFile)
			}
		}
	}
	if cycle := prerequisiteCycle(courses); cycle != nil {
		c.diags.Add(c.courseLines[cycle[0]], "prerequisites form a cycle: %s", strings.Join(cycle, " -> "))
	}
	return courses
}

// coursesList returns the value of the key courses in the document body,
// reporting other keys and a body that is not a mapping. It returns nil
// when there is nothing to read.
func (c *checker) coursesList(path string, body ast.Node) ast.Node {
	var pairs []*ast.MappingValueNode
	switch b := body.(type) {
	case nil:
	case *ast.MappingNode:
		pairs = b.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{b}
	default:
		c.diags.Add(yamldiag.NodePos(path, body), "want a mapping with the key courses")
		return nil
	}
	var list ast.Node
	for _, kv := range pairs {
		if key := kv.Key.GetToken().Value; key != "courses" {
			c.diags.Add(yamldiag.NodePos(path, kv.Key), "unknown field %q (the file holds one field, courses)", key)
			continue
		}
		list = kv.Value
		if _, null := list.(*ast.NullNode); null {
			return nil // "courses:" with nothing under it: no courses
		}
	}
	if list == nil && body != nil {
		c.diags.Add(yamldiag.NodePos(path, body), "missing field courses")
	}
	if list == nil && body == nil {
		c.diags.Add(diag.Pos{File: path, Line: 1}, "the file is empty; want a mapping with the key courses")
	}
	return list
}

// courseFieldTypes describes the type of each course field, for messages
// about values of the wrong type.
var courseFieldTypes = map[string]string{
	"hours":         "a number",
	"objectives":    "a list of strings",
	"topics":        "a list of strings",
	"prerequisites": "a list of course codes",
}

// courseDecodeMessage returns the message for an error decoding the
// course node n. When the error is about the value of a field, it names the
// field and the kind of value it wants, rather than the Go types go-yaml
// names.
func courseDecodeMessage(n ast.Node, err error) string {
	var ye yaml.Error
	if !errors.As(err, &ye) {
		return err.Error()
	}
	var pairs []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		pairs = m.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{m}
	default:
		return "a course must be a mapping of fields (code, title, ...)"
	}
	for _, kv := range pairs {
		if kv.Value == nil || kv.Value.GetToken() != ye.GetToken() {
			continue
		}
		key := kv.Key.GetToken().Value
		want, ok := courseFieldTypes[key]
		if !ok {
			want = "a string"
		}
		var got string
		switch kv.Value.(type) {
		case *ast.SequenceNode:
			got = "a list"
		case *ast.MappingNode, *ast.MappingValueNode:
			got = "a mapping"
		default:
			got = strconv.Quote(kv.Value.GetToken().Value)
		}
		return fmt.Sprintf("%s: want %s, not %s", key, want, got)
	}
	return ye.GetMessage()
}

// prerequisiteCycle returns one cycle of the courses' prerequisites, as
// domain.PrerequisiteCycle finds it.
func prerequisiteCycle(courses []domain.Course) []string {
	prereqs := make(map[string][]string, len(courses))
	for _, c := range courses {
		prereqs[c.Code] = c.Prerequisites
	}
	return domain.PrerequisiteCycle(prereqs)
}
