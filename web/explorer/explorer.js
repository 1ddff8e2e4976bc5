// cmap's GraphQL explorer: a query editor, variables, results, a schema
// browser built by introspection, examples and a history kept in
// localStorage. No dependencies: it works offline.
"use strict";

const endpoint = "graphql";
const historyKey = "cmap.explorer.history";
const historySize = 30;

const examples = {
  "Competency model": `{
  framework { name }
  competencies {
    code
    title
    subCompetencies { code statement }
  }
}`,
  "Courses, first page": `query Courses($first: Int, $after: String) {
  courses(first: $first, after: $after, filter: { status: ACTIVE }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { code title hours deliveryMode prerequisites { code } } }
  }
}`,
  "People with positions": `{
  people(first: 10) {
    edges {
      node {
        id name
        position { id title grade keyBillet }
        completions { course { code title } completedOn }
      }
    }
  }
}`,
  "Create a course": `mutation {
  createCourse(input: {
    code: "SCO-999", title: "Example Course", hours: 8, deliveryMode: ONLINE,
    objectives: ["Explain the example"]
  }) { code version }
}`,
  "Proficiency scale": `{ proficiencyScale { name levels } }`,
};

const introspection = `{
  __schema {
    queryType { name }
    mutationType { name }
    types {
      name kind description
      fields { name args { name type { ...Ref } } type { ...Ref } }
      inputFields { name type { ...Ref } }
      enumValues { name }
    }
  }
}
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`;

const $ = (id) => document.getElementById(id);
const query = $("query");
const variables = $("variables");
const result = $("result");
const status = $("status");
const runButton = $("run");

// post sends one GraphQL request and returns the HTTP status and the body.
async function post(text, vars) {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "Accept": "application/graphql-response+json, application/json",
    },
    body: JSON.stringify({ query: text, variables: vars }),
  });
  const body = await response.text();
  try {
    return { status: response.status, body: JSON.parse(body) };
  } catch {
    return { status: response.status, body: body };
  }
}

function setStatus(text, bad) {
  status.textContent = text;
  status.className = bad ? "bad" : "";
}

async function run() {
  let vars = {};
  if (variables.value.trim() !== "") {
    try {
      vars = JSON.parse(variables.value);
    } catch (e) {
      setStatus("Variables are not valid JSON: " + e.message, true);
      return;
    }
  }
  runButton.disabled = true;
  setStatus("Running…");
  const started = performance.now();
  try {
    const { status: code, body } = await post(query.value, vars);
    const ms = Math.round(performance.now() - started);
    const failed = code !== 200 || (body && body.errors);
    setStatus(`HTTP ${code} · ${ms} ms` + (failed ? " · errors" : ""), failed);
    result.textContent = typeof body === "string" ? body : JSON.stringify(body, null, 2);
    remember(query.value, variables.value);
  } catch (e) {
    setStatus("Request failed: " + e.message, true);
  } finally {
    runButton.disabled = false;
  }
}

// History: the latest distinct queries, newest first.
function loadHistory() {
  try {
    return JSON.parse(localStorage.getItem(historyKey)) || [];
  } catch {
    return [];
  }
}

function remember(text, vars) {
  const entries = loadHistory().filter((h) => h.query !== text || h.variables !== vars);
  entries.unshift({ query: text, variables: vars });
  localStorage.setItem(historyKey, JSON.stringify(entries.slice(0, historySize)));
  showHistory();
}

function showHistory() {
  const list = $("history");
  list.replaceChildren();
  for (const h of loadHistory()) {
    const item = document.createElement("li");
    item.textContent = h.query.replace(/\s+/g, " ").trim();
    item.title = h.query;
    item.addEventListener("click", () => {
      query.value = h.query;
      variables.value = h.variables;
    });
    list.append(item);
  }
}

// typeName writes a type reference as in SDL: [Course!]!
function typeName(t) {
  if (t.kind === "NON_NULL") return typeName(t.ofType) + "!";
  if (t.kind === "LIST") return "[" + typeName(t.ofType) + "]";
  return t.name;
}

// insert puts text at the query editor's cursor.
function insert(text) {
  const start = query.selectionStart;
  query.setRangeText(text, start, query.selectionEnd, "end");
  query.focus();
}

function fieldItem(f) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  const args = f.args && f.args.length ? "(" + f.args.map((a) => a.name + ": ").join(", ") + ")" : "";
  link.textContent = f.name;
  link.title = "Insert " + f.name + args;
  link.addEventListener("click", () => insert(f.name + args));
  const type = document.createElement("span");
  type.className = "type";
  type.textContent = (args ? "(" + f.args.map((a) => a.name + ": " + typeName(a.type)).join(", ") + ")" : "") +
    ": " + typeName(f.type);
  item.append(link, type);
  return item;
}

const kindOrder = { OBJECT: 0, INPUT_OBJECT: 1, ENUM: 2, SCALAR: 3 };

async function loadSchema() {
  const box = $("types");
  const { body } = await post(introspection, {});
  if (!body || !body.data) {
    box.textContent = "Could not load the schema.";
    return;
  }
  const schema = body.data.__schema;
  const roots = [schema.queryType && schema.queryType.name, schema.mutationType && schema.mutationType.name];
  const types = schema.types
    .filter((t) => !t.name.startsWith("__"))
    .sort((a, b) => {
      const ra = roots.indexOf(a.name), rb = roots.indexOf(b.name);
      if (ra !== rb) return (ra < 0 ? 9 : ra) - (rb < 0 ? 9 : rb);
      return (kindOrder[a.kind] ?? 9) - (kindOrder[b.kind] ?? 9) || a.name.localeCompare(b.name);
    });
  box.replaceChildren();
  for (const t of types) {
    const details = document.createElement("details");
    details.dataset.search = [t.name, ...(t.fields || t.inputFields || t.enumValues || []).map((f) => f.name)]
      .join(" ").toLowerCase();
    details.open = roots.includes(t.name);
    const summary = document.createElement("summary");
    summary.textContent = t.name + " ";
    const kind = document.createElement("small");
    kind.textContent = t.kind.toLowerCase().replace("_", " ");
    summary.append(kind);
    if (t.description) summary.title = t.description;
    const list = document.createElement("ul");
    for (const f of t.fields || t.inputFields || []) list.append(fieldItem(f));
    for (const v of t.enumValues || []) list.append(fieldItem({ name: v.name, type: { name: t.name } }));
    details.append(summary, list);
    box.append(details);
  }
}

function filterSchema() {
  const words = $("filter").value.toLowerCase().trim();
  for (const d of $("types").children) {
    d.hidden = words !== "" && !d.dataset.search.includes(words);
  }
}

function setUp() {
  const select = $("examples");
  for (const name of Object.keys(examples)) {
    const option = document.createElement("option");
    option.value = option.textContent = name;
    select.append(option);
  }
  select.addEventListener("change", () => {
    if (select.value) query.value = examples[select.value];
    select.value = "";
    query.focus();
  });
  runButton.addEventListener("click", run);
  for (const editor of [query, variables]) {
    editor.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        run();
      } else if (e.key === "Tab" && !e.shiftKey) {
        e.preventDefault();
        editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
      }
    });
  }
  $("filter").addEventListener("input", filterSchema);
  const last = loadHistory()[0];
  query.value = last ? last.query : examples["Competency model"];
  variables.value = last ? last.variables : "";
  showHistory();
  loadSchema().catch((e) => { $("types").textContent = "Could not load the schema: " + e.message; });
}

setUp();
