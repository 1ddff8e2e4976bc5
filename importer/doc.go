// Package importer reads an organization's catalogue (courses, positions,
// people and completions) from CSV, XLSX, JSON and YAML files, and plans
// its import against the stored records: what is created, updated, left
// alone or deleted, and every problem, located, in one pass. Package app
// makes the plan (App.PlanImport, App.Import); this package neither reads
// nor writes a store.
//
// # Layouts
//
// The columns of each kind are the catalogue's tabular layout, defined
// once in package seed (tabular.Tables: the seed files' headers and
// courses.yaml's fields) and written by the catalogue exports (package
// export), so that importing an export changes nothing. Layout and
// ColumnNames give them in export order, with each column's type and
// whether it is part of the natural key. In CSV a list is one cell, its
// items one a line (tabular.JoinList), a date is YYYY-MM-DD, and a cell an
// export neutralized for spreadsheets ('=...) is read without its quote
// (tabular.RestoreCell); in a workbook each kind is a sheet named after it,
// cells typed; in JSON and YAML a mapping from kinds to lists of records,
// lists as arrays. A person's completions are rows of the completions
// kind (person_id, course_code, completed), not a column of people.
//
// # Reading
//
// Read takes the files (by extension: .csv, .xlsx, .json, .yaml, .yml).
// A CSV file's kind is its name's (courses.csv, "Billets.csv") or, failing
// that, its header's; a workbook's sheets are read one by one, each of
// the kind its name or header says, and sheets of neither (a legend) are
// left out and listed in Batch.Ignored; a JSON or YAML file is a mapping
// of kinds, or a list named by its file. Headers match case- and
// space-insensitively, and "_" or "-" against camelCase (Normalize), so
// "Position ID", position_id and positionId are one column; Options.Map
// (cmap import --map 'Course Number=code') renames others or leaves them
// out ('Notes=-'), and a header mapped twice names a column of each kind.
// Cells are read as stored: a date cell is its serial day, a number cell
// its number, a text cell its text. Dates are read by ParseDate: ISO 8601,
// M/D/YYYY, D.M.YYYY, 17-Apr-2023, Apr 17, 2023, serial days.
//
// Problems of syntax and layout (an unknown or duplicate column, a missing
// key column, a file of no known kind) are Read's diagnostics; problems
// of values are the plan's.
//
// # Planning
//
// MakePlan reads each row into its record, checks it as every write
// checks one (engine's Validate, whose messages state the rules exactly),
// checks references (a course's prerequisites, a person's position, a
// completion's person and course) against the records the import leaves
// (the stored ones, the batch's, without those --prune deletes), checks
// prerequisite cycles (domain.PrerequisiteCycle) and duplicate keys, and
// matches each record to the stored one of its natural key: course code,
// position id, person id, and for a completion person, course and day. A
// record not stored is created; a stored one that differs is updated at
// the version read (a column the file lacks keeps its stored value; a
// new course without a status column is active); an identical one is
// left alone. With PlanOptions.Prune the stored records of each kind the
// batch holds that it does not list are deleted, unless something the
// import keeps refers to them.
//
// Every problem of every row is reported, sorted, as file:line:col
// (file:Sheet!B7 in a workbook): message; a plan with any has no writes.
package importer
