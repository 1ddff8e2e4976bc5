package mongodb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	// The SQLite driver FerretDB itself uses, to add the index it lacks.
	_ "modernc.org/sqlite"
)

// idPathIndexSuffix names the index indexIDPaths adds to a table.
const idPathIndexSuffix = "_cmap_id_path"

// idPath is the expression FerretDB v1's SQLite backend filters on when it
// pushes a lone _id filter down to SQL (metadata.IDColumn). FerretDB's own
// unique index on _id is on _ferretdb_sjson->"_id", an expression SQLite's
// planner does not match with this one, so without an index on this exact
// expression every lookup by key scans the whole table (55 ms against
// 0.1 ms at 20,000 people, measured for issue 7).
const idPath = `_ferretdb_sjson->'$._id'`

// indexIDPaths adds an index on idPath to the table of every collection of
// database in the embedded FerretDB's SQLite files under dir, if missing.
// FerretDB does not know of these indexes; SQLite keeps them current on
// every write and drops them with their table.
func indexIDPaths(ctx context.Context, dir, database string) error {
	file := filepath.Join(dir, database+".sqlite")
	dsn := "file:" + (&url.URL{Path: filepath.ToSlash(file)}).EscapedPath() + "?_pragma=busy_timeout(10000)"
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("mongodb: opening %s to index _id: %w", file, err)
	}
	defer conn.Close()
	tables, err := collectionTables(ctx, conn)
	if err != nil {
		return fmt.Errorf("mongodb: listing the collections of %s: %w", file, err)
	}
	for _, table := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (%s)`,
			quoteIdent(table+idPathIndexSuffix), quoteIdent(table), idPath)
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("mongodb: indexing _id of table %s in %s: %w", table, file, err)
		}
	}
	return nil
}

// collectionTables returns the SQLite table of every collection, from
// FerretDB's metadata table.
func collectionTables(ctx context.Context, conn *sql.DB) ([]string, error) {
	rows, err := conn.QueryContext(ctx, `SELECT table_name FROM "_ferretdb_collections"`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		tables = append(tables, t)
	}
	return tables, rows.Err()
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
