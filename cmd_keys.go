package main

import (
	"cmap/domain"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"cmap/app"
	"cmap/mongodb"
)

const keysUsage = `Usage:
  cmap keys create --name NAME --role ROLE [--role ROLE]... [flags]
      Make an API key for a service or a script and print its token, this
      once: the database keeps only its hash.
  cmap keys list [flags]
      List the API keys, revoked ones too.
  cmap keys revoke [flags] ID
      Revoke an API key: requests bearing it are refused from then on.

Keys are sent as "Authorization: Bearer <token>". Roles: viewer (the
model, catalogue, positions, coverage, gaps, demand, and their exports),
personnel (people, completions, readiness, recommendations, and their
exports, the whole catalogue's included), editor (writes courses and
positions), records (writes people and completions), rule-author
(reloads rules, previews, explain), admin (keys, the audit log). Every
role implies viewer, records implies personnel, admin every role. Each
change is recorded in the audit trail with your user name.

The keys are in cmap's database: the embedded one in --data, or the
MongoDB at --mongo-uri. While cmap serve runs on the embedded database,
give --mongo-uri the URI it logged (or use the createAPIKey mutation).

Run 'cmap keys VERB -h' (or 'cmap help keys VERB') for the flags and
examples of a verb.

Examples:
  cmap keys list
  cmap help keys create
`

// runKeys is the `cmap keys` verb.
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runVerbs("cmap keys", keysUsage, "missing verb: create, list or revoke", args, stdout, stderr, map[string]func([]string) int{
		"create": func(args []string) int { return runKeysCreate(ctx, args, stdout, stderr) },
		"list":   func(args []string) int { return runKeysList(ctx, args, stdout, stderr) },
		"revoke": func(args []string) int { return runKeysRevoke(ctx, args, stdout, stderr) },
	})
}

// keysFlags are the flags every keys command takes.
type keysFlags struct {
	fs       *flag.FlagSet
	dataDir  string
	mongoURI string
	format   string
}

func newKeysFlags(name, usage string) *keysFlags {
	f := &keysFlags{fs: flag.NewFlagSet("cmap keys "+name, flag.ContinueOnError)}
	addDatabaseFlags(f.fs, &f.dataDir, &f.mongoURI, "keep the embedded database in `DIR` ($CMAP_DATA)")
	f.fs.StringVar(&f.format, "format", "text", "write `FORMAT`: text or json")
	setUsage(f.fs, usage)
	return f
}

// parse parses args, takes --data and --mongo-uri from the environment
// when args leave them out, and returns the positional arguments.
func (f *keysFlags) parse(args []string, stdout, stderr io.Writer) (pos []string, code int, ok bool) {
	pos, code, ok = parseFlagsEnv(f.fs, args, os.Getenv, stdout, stderr)
	if !ok {
		return nil, code, false
	}
	if code, ok := checkFormat(f.fs, stderr, f.format, "text", "json"); !ok {
		return nil, code, false
	}
	return pos, exitOK, true
}

// open opens the database and returns the keys in it, acting as the user
// running the command, and a function that closes the database.
func (f *keysFlags) open(ctx context.Context, stderr io.Writer) (context.Context, *app.Keys, func(), error) {
	// Only errors: the embedded database warns about what a short-lived
	// client does on exit.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	if f.mongoURI == "" && f.dataDir == "" {
		return nil, nil, nil, fmt.Errorf("no database: name the data folder with --data, or a MongoDB with --mongo-uri")
	}
	db, err := mongodb.Open(ctx, mongodb.Config{URI: f.mongoURI, DataDir: f.dataDir, Logger: logger})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("opening the database: %w", err)
	}
	closeDB := func() {
		if err := db.Close(context.WithoutCancel(ctx)); err != nil {
			logger.Warn("closing the database", "error", err)
		}
	}
	return domain.WithPrincipal(ctx, cliPrincipal("cmap keys")), app.NewKeys(db, logger), closeDB, nil
}

// cliPrincipal is the actor of the changes a command of cmap's command
// line (such as "cmap keys") makes: the user who runs it, as the audit
// trail names them.
func cliPrincipal(command string) *domain.Principal {
	name := "unknown user"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	return &domain.Principal{ID: "cli:" + name, Name: name + " (" + command + ")", Roles: []domain.Role{domain.RoleAdmin}}
}

// jsonKey is an API key in --format json.
type jsonKey struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Roles     []string   `json:"roles"`
	CreatedAt time.Time  `json:"createdAt"`
	CreatedBy string     `json:"createdBy"`
	RevokedAt *time.Time `json:"revokedAt"`
	// Token is set only by create.
	Token string `json:"token,omitempty"`
}

func jsonKeyOf(k *domain.APIKey) jsonKey {
	j := jsonKey{ID: k.ID, Name: k.Name, CreatedAt: k.CreatedAt, CreatedBy: k.CreatedBy}
	for _, r := range k.Roles {
		j.Roles = append(j.Roles, string(r))
	}
	if k.Revoked() {
		j.RevokedAt = &k.RevokedAt
	}
	return j
}

// roleFlags collects the roles of repeated --role flags, each also a
// comma-separated list.
type roleFlags []domain.Role

func (r *roleFlags) String() string { return domain.RoleNames(*r) }

func (r *roleFlags) Set(s string) error {
	for name := range strings.SplitSeq(s, ",") {
		role, err := domain.ParseRole(name)
		if err != nil {
			return fmt.Errorf("%s", messageOf(err))
		}
		*r = append(*r, role)
	}
	return nil
}

func runKeysCreate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newKeysFlags("create", `Usage: cmap keys create --name NAME --role ROLE [--role ROLE]... [flags]

Makes an API key with the roles given and prints its token, this once:
the database keeps only its hash. Roles: viewer, personnel, editor,
records, rule-author, admin (see 'cmap help keys'). A key is sent as
"Authorization: Bearer <token>".

Examples:
  cmap keys create --name "readiness portal" --role viewer --role personnel
  cmap keys create --name catalogue-sync --role editor --format json
`)
	var name string
	var roles roleFlags
	f.fs.StringVar(&name, "name", "", "name the key `NAME`: who or what uses it")
	f.fs.Var(&roles, "role", "grant `ROLE` (repeat the flag, or list roles with commas)")
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	switch {
	case len(pos) > 0:
		return usageError(f.fs, stderr, "unexpected argument %q", pos[0])
	case strings.TrimSpace(name) == "":
		return usageError(f.fs, stderr, "name the key with --name")
	case len(roles) == 0:
		return usageError(f.fs, stderr, "give the key at least one --role")
	}
	ctx, keys, closeDB, err := f.open(ctx, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "cmap keys create: %v\n", err)
		return exitFail
	}
	defer closeDB()
	key, token, err := keys.Create(ctx, name, roles)
	if domain.ErrorCode(err) == domain.EINVALID {
		return usageError(f.fs, stderr, "%s", err)
	}
	if err != nil {
		fmt.Fprintf(stderr, "cmap keys create: %v\n", err)
		return exitFail
	}
	if f.format == "json" {
		j := jsonKeyOf(key)
		j.Token = token
		writeJSON(stdout, j)
		return exitOK
	}
	fmt.Fprintf(stdout, "Made API key %s (%s) with the roles %s. Its token, shown this once:\n\n  %s\n\n"+
		"Send it as \"Authorization: Bearer <token>\"; revoke it with: cmap keys revoke %s\n",
		key.ID, key.Name, domain.RoleNames(key.Roles), token, key.ID)
	return exitOK
}

func runKeysList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newKeysFlags("list", `Usage: cmap keys list [flags]

Lists the API keys, revoked ones too, by id: name, roles, when and by
whom each was made, and when it was revoked. Tokens are not kept, so
they are not shown.

Examples:
  cmap keys list
  cmap keys list --format json
`)
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageError(f.fs, stderr, "unexpected argument %q", pos[0])
	}
	ctx, keys, closeDB, err := f.open(ctx, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "cmap keys list: %v\n", err)
		return exitFail
	}
	defer closeDB()
	list, err := keys.List(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "cmap keys list: %v\n", err)
		return exitFail
	}
	if f.format == "json" {
		out := []jsonKey{}
		for _, k := range list {
			out = append(out, jsonKeyOf(k))
		}
		writeJSON(stdout, out)
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLES\tCREATED\tBY\tREVOKED")
	for _, k := range list {
		revoked := "-"
		if k.Revoked() {
			revoked = k.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, strings.ReplaceAll(domain.RoleNames(k.Roles), " ", ""),
			k.CreatedAt.Format(time.RFC3339), k.CreatedBy, revoked)
	}
	tw.Flush()
	return exitOK
}

func runKeysRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newKeysFlags("revoke", `Usage: cmap keys revoke [flags] ID

Revokes the API key ID (as 'cmap keys list' shows it): requests bearing
it are refused from then on. Revoking a revoked key changes nothing. The
first admin key, which cmap makes on its first start, is "first-admin":
revoke it once you made keys of your own.

Examples:
  cmap keys revoke first-admin
`)
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return usageError(f.fs, stderr, "name one key ID, got %d arguments", len(pos))
	}
	ctx, keys, closeDB, err := f.open(ctx, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "cmap keys revoke: %v\n", err)
		return exitFail
	}
	defer closeDB()
	key, err := keys.Revoke(ctx, pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "cmap keys revoke: %s\n", domain.ErrorMessage(err))
		return exitFail
	}
	if f.format == "json" {
		writeJSON(stdout, jsonKeyOf(key))
		return exitOK
	}
	fmt.Fprintf(stdout, "API key %s (%s) is revoked since %s.\n", key.ID, key.Name, key.RevokedAt.Format(time.RFC3339))
	return exitOK
}
